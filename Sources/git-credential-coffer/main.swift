import CofferSystem

// It holds a password while it answers git: no core file, no ptrace by other processes of the user.
Hardening.noCoreDumps()
Process.exit(Helper.main(Array(CommandLine.arguments.dropFirst())))
