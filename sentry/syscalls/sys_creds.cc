// The set*id rules are those of kernel/sys.c; "privileged" means holding
// CAP_SETUID / CAP_SETGID in the sandbox (its root has them by default).
#include "sentry/syscalls/sys_creds.h"

#include <cerrno>
#include <algorithm>
#include <vector>

#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"

namespace sentry {

namespace {

constexpr uint32_t kNoChange = static_cast<uint32_t>(-1);
constexpr int kNgroupsMax = 65536;
// capget/capset header versions (linux/capability.h).
constexpr uint32_t kCapVersion1 = 0x19980330;
constexpr uint32_t kCapVersion2 = 0x20071026;
constexpr uint32_t kCapVersion3 = 0x20080522;

struct CapHeader {
  uint32_t version;
  int32_t pid;
};
struct CapData {
  uint32_t effective, permitted, inheritable;
};

Credentials Creds(Task& t) { return t.thread_group().creds(); }

int64_t CopyOutId3(Task& t, const SyscallArgs& a, uint32_t r, uint32_t e,
                   uint32_t s) {
  if (t.CopyOutObj(a.Ptr(0), r) < 0) return -EFAULT;
  if (t.CopyOutObj(a.Ptr(1), e) < 0) return -EFAULT;
  if (t.CopyOutObj(a.Ptr(2), s) < 0) return -EFAULT;
  return 0;
}

// setresuid(2) is the general form; the others reduce to it.
int64_t SetResUid(Task& t, uint32_t r, uint32_t e, uint32_t s) {
  Credentials c = Creds(t);
  const bool priv = c.HasCap(kCapSetuid);
  auto allowed = [&](uint32_t id) {
    return id == kNoChange || priv || id == c.ruid || id == c.euid ||
           id == c.suid;
  };
  if (!allowed(r) || !allowed(e) || !allowed(s)) return -EPERM;
  const uid_t or_ = c.ruid, oe = c.euid, os = c.suid;
  if (r != kNoChange) c.ruid = r;
  if (e != kNoChange) c.euid = e;
  if (s != kNoChange) c.suid = s;
  c.fsuid = c.euid;
  c.FixCapsAfterUidChange(or_, oe, os);
  t.thread_group().set_creds(c);
  return 0;
}

int64_t SetResGid(Task& t, uint32_t r, uint32_t e, uint32_t s) {
  Credentials c = Creds(t);
  const bool priv = c.HasCap(kCapSetgid);
  auto allowed = [&](uint32_t id) {
    return id == kNoChange || priv || id == c.rgid || id == c.egid ||
           id == c.sgid;
  };
  if (!allowed(r) || !allowed(e) || !allowed(s)) return -EPERM;
  if (r != kNoChange) c.rgid = r;
  if (e != kNoChange) c.egid = e;
  if (s != kNoChange) c.sgid = s;
  c.fsgid = c.egid;
  t.thread_group().set_creds(c);
  return 0;
}

}  // namespace

int64_t SysGetuid(Task& t, const SyscallArgs&) { return Creds(t).ruid; }
int64_t SysGeteuid(Task& t, const SyscallArgs&) { return Creds(t).euid; }
int64_t SysGetgid(Task& t, const SyscallArgs&) { return Creds(t).rgid; }
int64_t SysGetegid(Task& t, const SyscallArgs&) { return Creds(t).egid; }

namespace {
// high2lowuid(): ids that do not fit in 16 bits read as the overflow id
// (/proc/sys/kernel/overflowuid, 65534 by default).
int64_t To16(uint32_t id) { return id > 0xffff ? 65534 : id; }
}  // namespace

int64_t SysGetuid16I386(Task& t, const SyscallArgs&) { return To16(Creds(t).ruid); }
int64_t SysGeteuid16I386(Task& t, const SyscallArgs&) { return To16(Creds(t).euid); }
int64_t SysGetgid16I386(Task& t, const SyscallArgs&) { return To16(Creds(t).rgid); }
int64_t SysGetegid16I386(Task& t, const SyscallArgs&) { return To16(Creds(t).egid); }

int64_t SysGetresuid(Task& t, const SyscallArgs& a) {
  const Credentials c = Creds(t);
  return CopyOutId3(t, a, c.ruid, c.euid, c.suid);
}

int64_t SysGetresgid(Task& t, const SyscallArgs& a) {
  const Credentials c = Creds(t);
  return CopyOutId3(t, a, c.rgid, c.egid, c.sgid);
}

int64_t SysSetuid(Task& t, const SyscallArgs& a) {
  const uint32_t uid = a.UInt(0);
  if (uid == kNoChange) return -EINVAL;
  const Credentials c = Creds(t);
  // Privileged: all three ids; otherwise only the effective one, to the
  // real or saved id.
  if (c.HasCap(kCapSetuid)) return SetResUid(t, uid, uid, uid);
  if (uid != c.ruid && uid != c.suid) return -EPERM;
  return SetResUid(t, kNoChange, uid, kNoChange);
}

int64_t SysSetgid(Task& t, const SyscallArgs& a) {
  const uint32_t gid = a.UInt(0);
  if (gid == kNoChange) return -EINVAL;
  const Credentials c = Creds(t);
  if (c.HasCap(kCapSetgid)) return SetResGid(t, gid, gid, gid);
  if (gid != c.rgid && gid != c.sgid) return -EPERM;
  return SetResGid(t, kNoChange, gid, kNoChange);
}

int64_t SysSetreuid(Task& t, const SyscallArgs& a) {
  const uint32_t r = a.UInt(0), e = a.UInt(1);
  const Credentials c = Creds(t);
  if (!c.HasCap(kCapSetuid)) {
    if (r != kNoChange && r != c.ruid && r != c.euid) return -EPERM;
    if (e != kNoChange && e != c.ruid && e != c.euid && e != c.suid)
      return -EPERM;
  }
  // The saved id follows the new effective id when the real id is set or
  // the effective id moves away from the old real id.
  Credentials n = c;
  if (r != kNoChange) n.ruid = r;
  if (e != kNoChange) n.euid = e;
  if (r != kNoChange || (e != kNoChange && e != c.ruid)) n.suid = n.euid;
  n.fsuid = n.euid;
  n.FixCapsAfterUidChange(c.ruid, c.euid, c.suid);
  t.thread_group().set_creds(n);
  return 0;
}

int64_t SysSetregid(Task& t, const SyscallArgs& a) {
  const uint32_t r = a.UInt(0), e = a.UInt(1);
  Credentials c = Creds(t);
  if (!c.HasCap(kCapSetgid)) {
    if (r != kNoChange && r != c.rgid && r != c.egid) return -EPERM;
    if (e != kNoChange && e != c.rgid && e != c.egid && e != c.sgid)
      return -EPERM;
  }
  if (r != kNoChange || (e != kNoChange && e != c.rgid))
    c.sgid = e != kNoChange ? e : c.egid;
  if (r != kNoChange) c.rgid = r;
  if (e != kNoChange) c.egid = e;
  c.fsgid = c.egid;
  t.thread_group().set_creds(c);
  return 0;
}

int64_t SysSetresuid(Task& t, const SyscallArgs& a) {
  return SetResUid(t, a.UInt(0), a.UInt(1), a.UInt(2));
}

int64_t SysSetresgid(Task& t, const SyscallArgs& a) {
  return SetResGid(t, a.UInt(0), a.UInt(1), a.UInt(2));
}

int64_t SysSetfsuid(Task& t, const SyscallArgs& a) {
  // Returns the old value whether or not the change is allowed.
  Credentials c = Creds(t);
  const uid_t old = c.fsuid;
  const uint32_t id = a.UInt(0);
  if (id != kNoChange && (c.HasCap(kCapSetuid) || id == c.ruid ||
                          id == c.euid || id == c.suid || id == c.fsuid)) {
    c.fsuid = id;
    t.thread_group().set_creds(c);
  }
  return old;
}

int64_t SysSetfsgid(Task& t, const SyscallArgs& a) {
  Credentials c = Creds(t);
  const gid_t old = c.fsgid;
  const uint32_t id = a.UInt(0);
  if (id != kNoChange && (c.HasCap(kCapSetgid) || id == c.rgid ||
                          id == c.egid || id == c.sgid || id == c.fsgid)) {
    c.fsgid = id;
    t.thread_group().set_creds(c);
  }
  return old;
}

int64_t SysGetgroups(Task& t, const SyscallArgs& a) {
  const int size = a.Int(0);
  if (size < 0) return -EINVAL;
  const Credentials c = Creds(t);
  const int n = static_cast<int>(c.groups.size());
  if (size == 0) return n;
  if (size < n) return -EINVAL;
  std::vector<uint32_t> out(c.groups.begin(), c.groups.end());
  if (n && t.CopyOut(a.Ptr(1), out.data(), n * 4) < 0) return -EFAULT;
  return n;
}

int64_t SysSetgroups(Task& t, const SyscallArgs& a) {
  const int size = a.Int(0);
  if (size < 0 || size > kNgroupsMax) return -EINVAL;
  Credentials c = Creds(t);
  if (!c.HasCap(kCapSetgid)) return -EPERM;
  std::vector<uint32_t> in(size);
  if (size && t.CopyIn(a.Ptr(1), in.data(), size * 4) < 0) return -EFAULT;
  c.groups.assign(in.begin(), in.end());
  std::sort(c.groups.begin(), c.groups.end());
  t.thread_group().set_creds(c);
  return 0;
}

int64_t SysCapget(Task& t, const SyscallArgs& a) {
  CapHeader h;
  if (t.CopyInObj(a.Ptr(0), &h) < 0) return -EFAULT;
  if (h.version != kCapVersion1 && h.version != kCapVersion2 &&
      h.version != kCapVersion3) {
    // Tell the caller the preferred version (cap_validate_magic()).
    h.version = kCapVersion3;
    if (t.CopyOutObj(a.Ptr(0), h) < 0) return -EFAULT;
    return a.Ptr(1) ? -EINVAL : 0;
  }
  if (h.pid < 0) return -EINVAL;
  Credentials c;
  if (h.pid == 0 || h.pid == t.thread_group().tgid() || h.pid == t.tid()) {
    c = Creds(t);
  } else {
    auto tg = t.kernel().FindThreadGroup(h.pid);
    if (!tg) return -ESRCH;
    c = tg->creds();
  }
  if (!a.Ptr(1)) return 0;
  const int words = h.version == kCapVersion1 ? 1 : 2;
  CapData d[2] = {};
  for (int i = 0; i < words; i++) {
    d[i].effective = static_cast<uint32_t>(c.cap_effective >> (32 * i));
    d[i].permitted = static_cast<uint32_t>(c.cap_permitted >> (32 * i));
    d[i].inheritable = static_cast<uint32_t>(c.cap_inheritable >> (32 * i));
  }
  if (t.CopyOut(a.Ptr(1), d, words * sizeof(CapData)) < 0) return -EFAULT;
  return 0;
}

int64_t SysCapset(Task& t, const SyscallArgs& a) {
  CapHeader h;
  if (t.CopyInObj(a.Ptr(0), &h) < 0) return -EFAULT;
  if (h.version != kCapVersion1 && h.version != kCapVersion2 &&
      h.version != kCapVersion3) {
    h.version = kCapVersion3;
    if (t.CopyOutObj(a.Ptr(0), h) < 0) return -EFAULT;
    return -EINVAL;
  }
  // Only the caller's own capabilities may change.
  if (h.pid != 0 && h.pid != t.tid() && h.pid != t.thread_group().tgid())
    return -EPERM;
  const int words = h.version == kCapVersion1 ? 1 : 2;
  CapData d[2] = {};
  if (t.CopyIn(a.Ptr(1), d, words * sizeof(CapData)) < 0) return -EFAULT;
  uint64_t eff = 0, perm = 0, inh = 0;
  for (int i = 0; i < words; i++) {
    eff |= uint64_t{d[i].effective} << (32 * i);
    perm |= uint64_t{d[i].permitted} << (32 * i);
    inh |= uint64_t{d[i].inheritable} << (32 * i);
  }
  Credentials c = Creds(t);
  // cap_capset(): permitted can only shrink; effective within permitted;
  // inheritable within old inheritable | permitted (bounded).
  if (perm & ~c.cap_permitted) return -EPERM;
  if (eff & ~perm) return -EPERM;
  if (inh & ~(c.cap_inheritable | c.cap_permitted)) return -EPERM;
  if (inh & ~(c.cap_inheritable | c.cap_bounding)) return -EPERM;
  c.cap_effective = eff;
  c.cap_permitted = perm;
  c.cap_inheritable = inh;
  t.thread_group().set_creds(c);
  return 0;
}

}  // namespace sentry
