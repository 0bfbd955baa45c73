#ifndef COFFER_CSYSTEMSHIMS_H
#define COFFER_CSYSTEMSHIMS_H
#include <sys/types.h>

/// The uid of the process at the other end of a connected Unix socket (SO_PEERCRED); 0 on success.
int coffer_peer_uid(int fd, uid_t *uid);

/// accept4 with SOCK_CLOEXEC | SOCK_NONBLOCK: -1 and errno on failure.
int coffer_accept_cloexec_nonblock(int listener);

/// pipe2 with O_CLOEXEC: 0, or -1 and errno.
int coffer_pipe_cloexec(int fds[2]);

/// mkostemp with O_CLOEXEC: the descriptor, or -1 and errno; `template` ends in XXXXXX and is filled in.
int coffer_mkstemp_cloexec(char *template_path);

/// Marks the process non-dumpable (PR_SET_DUMPABLE 0): no core files, no ptrace by other processes of the user.
int coffer_set_nondumpable(void);

/// An anonymous memory file (memfd_create with MFD_ALLOW_SEALING, no close-on-exec, so a child inherits
/// it): the descriptor, or -1 and errno.
int coffer_memfd(const char *name);

/// Seals a memory file against any further change (F_SEAL_SHRINK | GROW | WRITE | SEAL): 0, or -1 and errno.
int coffer_memfd_seal(int fd);

/// A new pseudo-terminal (posix_openpt, grantpt, unlockpt; the master close-on-exec): the master's
/// descriptor with the slave's path in `path`, or -1 and errno. For tests that drive prompts as a person.
int coffer_open_pty(char *path, size_t size);

#endif
