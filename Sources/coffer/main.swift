import CofferCLI
import Glibc

exit(CofferMain.run())
