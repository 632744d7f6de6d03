// uname(2) structures (include/uapi/linux/utsname.h).
#ifndef ABI_LINUX_UTSNAME_H_
#define ABI_LINUX_UTSNAME_H_

#include <cstddef>

namespace uapi {

// Length of each field of struct new_utsname / old_utsname, NUL included.
inline constexpr std::size_t kUtsLen = 65;
// Length of each field of struct oldold_utsname.
inline constexpr std::size_t kOldUtsLen = 9;

// struct new_utsname: x86_64 uname (63) and i386 uname (122).
struct NewUtsname {
  char sysname[kUtsLen];
  char nodename[kUtsLen];
  char release[kUtsLen];
  char version[kUtsLen];
  char machine[kUtsLen];
  char domainname[kUtsLen];
};
static_assert(sizeof(NewUtsname) == 390);
static_assert(offsetof(NewUtsname, machine) == 260);
static_assert(offsetof(NewUtsname, domainname) == 325);

// struct old_utsname: i386 olduname (109).
struct OldUtsname {
  char sysname[kUtsLen];
  char nodename[kUtsLen];
  char release[kUtsLen];
  char version[kUtsLen];
  char machine[kUtsLen];
};
static_assert(sizeof(OldUtsname) == 325);

// struct oldold_utsname: i386 oldolduname (59).
struct OldoldUtsname {
  char sysname[kOldUtsLen];
  char nodename[kOldUtsLen];
  char release[kOldUtsLen];
  char version[kOldUtsLen];
  char machine[kOldUtsLen];
};
static_assert(sizeof(OldoldUtsname) == 45);

}  // namespace uapi

#endif  // ABI_LINUX_UTSNAME_H_
