import Glibc

exit(Helper.main(Array(CommandLine.arguments.dropFirst())))
