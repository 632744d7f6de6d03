// The sandbox's own users: what a process believes its ids and
// capabilities are (include/linux/cred.h). They never reach the host; the
// sentry checks them itself (file permissions, setuid rules).
#ifndef SENTRY_KERNEL_CREDENTIALS_H_
#define SENTRY_KERNEL_CREDENTIALS_H_

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace sentry {

// CAP_LAST_CAP on Linux 6.x is 40 (CAP_CHECKPOINT_RESTORE).
inline constexpr int kCapLastCap = 40;
inline constexpr uint64_t kAllCaps = (uint64_t{1} << (kCapLastCap + 1)) - 1;
inline constexpr int kCapSetgid = 6;
inline constexpr int kCapSetuid = 7;
inline constexpr int kCapSetpcap = 8;
inline constexpr int kCapSysNice = 23;
inline constexpr int kCapSysResource = 24;

struct Credentials {
  uid_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
  gid_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
  std::vector<gid_t> groups;
  uint64_t cap_inheritable = 0;
  uint64_t cap_permitted = kAllCaps;
  uint64_t cap_effective = kAllCaps;
  uint64_t cap_bounding = kAllCaps;
  bool keep_caps = false;  // PR_SET_KEEPCAPS

  static Credentials ForUser(uid_t uid, gid_t gid);
  bool HasCap(int cap) const { return cap_effective & (uint64_t{1} << cap); }
  // The capability changes of a uid change (cap_emulate_setxuid()): losing
  // uid 0 everywhere drops permitted and effective sets; losing euid 0
  // drops the effective set; gaining euid 0 restores it from permitted.
  void FixCapsAfterUidChange(uid_t old_ruid, uid_t old_euid, uid_t old_suid);
};

}  // namespace sentry

#endif  // SENTRY_KERNEL_CREDENTIALS_H_
