// Credentials: who an access check is made for. The app's identity lives in
// the sentry; the host never sees it (host checks are made as the sentry's
// own host user, which only narrows what the app can do).
#ifndef SENTRY_VFS_CREDENTIALS_H_
#define SENTRY_VFS_CREDENTIALS_H_

#include <sys/types.h>

#include <cstdint>

namespace sentry {
class Task;
}

namespace sentry::vfs {

// Access bits as access(2) and the kernel's MAY_* use them.
inline constexpr int kMayExec = 1;
inline constexpr int kMayWrite = 2;
inline constexpr int kMayRead = 4;

struct Credentials {
  uid_t uid = 0;  // effective (or real, for access(2) without AT_EACCESS)
  gid_t gid = 0;
  // Who is asking: procfs resolves "self" and "thread-self" with these, and
  // operations that block (opening a FIFO) wait on behalf of `task`. Zero
  // and null for the sentry's own lookups (mount setup, exec).
  pid_t pid = 0;
  pid_t tid = 0;
  Task* task = nullptr;
  // Whether uid 0 bypasses permission bits (CAP_DAC_OVERRIDE).
  bool IsRoot() const { return uid == 0; }
};

// The classic owner/group/other check (generic_permission): `want` is a mask
// of kMay*. Root may read and write anything and execute anything that has
// at least one execute bit, or is a directory. Returns 0 or -EACCES.
int64_t CheckPermission(const Credentials& creds, uint32_t mode, uint32_t uid,
                        uint32_t gid, int want);

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_CREDENTIALS_H_
