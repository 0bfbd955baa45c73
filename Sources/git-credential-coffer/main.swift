import CofferSystem

Process.exit(Helper.main(Array(CommandLine.arguments.dropFirst())))
