#ifndef COFFER_CSYSTEMSHIMS_H
#define COFFER_CSYSTEMSHIMS_H
#include <sys/types.h>

/// The uid of the process at the other end of a connected Unix socket (SO_PEERCRED); 0 on success.
int coffer_peer_uid(int fd, uid_t *uid);

/// Marks the process non-dumpable (PR_SET_DUMPABLE 0): no core files, no ptrace by other processes of the user.
int coffer_set_nondumpable(void);

#endif
