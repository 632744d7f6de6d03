// uname(2).
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

// Every field must be NUL-terminated inside its array.
void ExpectTerminated(const char* field, size_t size, const char* what) {
  EXPECT_NE(memchr(field, '\0', size), nullptr) << what << " is not NUL-terminated";
}

TEST(UnameTest, Succeeds) {
  struct utsname u;
  memset(&u, 0x55, sizeof(u));
  ASSERT_THAT(uname(&u), SyscallSucceeds());
  ExpectTerminated(u.sysname, sizeof(u.sysname), "sysname");
  ExpectTerminated(u.nodename, sizeof(u.nodename), "nodename");
  ExpectTerminated(u.release, sizeof(u.release), "release");
  ExpectTerminated(u.version, sizeof(u.version), "version");
  ExpectTerminated(u.machine, sizeof(u.machine), "machine");
  ExpectTerminated(u.domainname, sizeof(u.domainname), "domainname");
}

TEST(UnameTest, SysnameAndMachine) {
  struct utsname u;
  ASSERT_THAT(uname(&u), SyscallSucceeds());
  EXPECT_STREQ(u.sysname, "Linux");
  EXPECT_STREQ(u.machine, "x86_64");
}

TEST(UnameTest, ReleaseLooksLikeAVersion) {
  struct utsname u;
  ASSERT_THAT(uname(&u), SyscallSucceeds());
  ASSERT_NE(u.release[0], '\0');
  EXPECT_TRUE(isdigit(static_cast<unsigned char>(u.release[0]))) << u.release;
  EXPECT_NE(strchr(u.release, '.'), nullptr) << u.release;
  EXPECT_NE(u.version[0], '\0');
}

TEST(UnameTest, RawSyscallMatchesLibc) {
  struct utsname a, b;
  memset(&a, 0, sizeof(a));
  memset(&b, 0, sizeof(b));
  ASSERT_THAT(uname(&a), SyscallSucceeds());
  ASSERT_THAT(syscall(SYS_uname, &b), SyscallSucceedsWithValue(0));
  EXPECT_STREQ(a.sysname, b.sysname);
  EXPECT_STREQ(a.nodename, b.nodename);
  EXPECT_STREQ(a.release, b.release);
  EXPECT_STREQ(a.version, b.version);
  EXPECT_STREQ(a.machine, b.machine);
  EXPECT_STREQ(a.domainname, b.domainname);
}

TEST(UnameTest, MatchesGethostname) {
  struct utsname u;
  ASSERT_THAT(uname(&u), SyscallSucceeds());
  char host[256] = {};
  ASSERT_THAT(gethostname(host, sizeof(host)), SyscallSucceeds());
  EXPECT_STREQ(host, u.nodename);
}

}  // namespace
