#include "sentry/kernel/credentials.h"

namespace sentry {

Credentials Credentials::ForUser(uid_t uid, gid_t gid) {
  Credentials c;
  c.ruid = c.euid = c.suid = c.fsuid = uid;
  c.rgid = c.egid = c.sgid = c.fsgid = gid;
  if (uid != 0) {
    c.cap_permitted = 0;
    c.cap_effective = 0;
  }
  return c;
}

void Credentials::FixCapsAfterUidChange(uid_t old_ruid, uid_t old_euid,
                                        uid_t old_suid) {
  const bool had_root = old_ruid == 0 || old_euid == 0 || old_suid == 0;
  const bool has_root = ruid == 0 || euid == 0 || suid == 0;
  if (had_root && !has_root && !keep_caps) {
    cap_permitted = 0;
    cap_effective = 0;
  }
  if (old_euid == 0 && euid != 0) cap_effective = 0;
  if (old_euid != 0 && euid == 0) cap_effective = cap_permitted;
}

}  // namespace sentry
