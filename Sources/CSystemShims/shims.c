// Swift's Glibc module is built without _GNU_SOURCE, which struct ucred needs; prctl is variadic.
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/prctl.h>
#include "CSystemShims.h"

int coffer_peer_uid(int fd, uid_t *uid) {
    struct ucred cred;
    socklen_t length = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) return -1;
    *uid = cred.uid;
    return 0;
}

int coffer_set_nondumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
