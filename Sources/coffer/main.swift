import CofferCLI
import CofferSystem

Process.exit(CofferMain.run())
