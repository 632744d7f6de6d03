// mmap(2), munmap(2), mprotect(2), mremap(2), madvise(2), mincore(2) on
// anonymous memory. No test relies on taking a SIGSEGV: protections are
// checked by asking the kernel to copy into or out of the memory, which
// fails with EFAULT when the access is not allowed.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

constexpr size_t kPage = 4096;

char* MapAnon(size_t len, int prot = PROT_READ | PROT_WRITE, int flags = MAP_PRIVATE) {
  void* p = mmap(nullptr, len, prot, flags | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<char*>(p);
}

// Whether the page containing `p` is mapped, as seen by mincore.
bool IsMapped(const void* p) {
  unsigned char vec = 0;
  return mincore(const_cast<void*>(p), kPage, &vec) == 0;
}

bool IsResident(const void* p) {
  unsigned char vec = 0;
  return mincore(const_cast<void*>(p), kPage, &vec) == 0 && (vec & 1) != 0;
}

TEST(MmapTest, AnonymousPrivateReadWrite) {
  char* p = MapAnon(4 * kPage);
  ASSERT_NE(p, nullptr) << "mmap: " << conformance::ErrnoName(errno);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kPage, 0u);
  for (size_t i = 0; i < 4 * kPage; ++i) ASSERT_EQ(p[i], 0) << "offset " << i;
  memset(p, 'z', 4 * kPage);
  EXPECT_EQ(p[0], 'z');
  EXPECT_EQ(p[4 * kPage - 1], 'z');
  EXPECT_THAT(munmap(p, 4 * kPage), SyscallSucceeds());
  EXPECT_FALSE(IsMapped(p));
}

TEST(MmapTest, LengthIsRoundedUpToAPage) {
  char* p = MapAnon(100);
  ASSERT_NE(p, nullptr);
  p[kPage - 1] = 1;  // the rest of the page is part of the mapping
  EXPECT_TRUE(IsMapped(p));
  EXPECT_THAT(munmap(p, 100), SyscallSucceeds());  // unmaps the whole page
  EXPECT_FALSE(IsMapped(p));
}

TEST(MmapTest, FixedReplacesExistingMapping) {
  char* base = MapAnon(3 * kPage);
  ASSERT_NE(base, nullptr);
  memset(base, 'a', 3 * kPage);
  void* r = mmap(base + kPage, kPage, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  EXPECT_THAT(r, SyscallSucceedsWithValue(reinterpret_cast<intptr_t>(base + kPage)));
  EXPECT_EQ(base[0], 'a');
  EXPECT_EQ(base[kPage], 0) << "MAP_FIXED must replace the old page with a fresh one";
  EXPECT_EQ(base[2 * kPage - 1], 0);
  EXPECT_EQ(base[2 * kPage], 'a');
  EXPECT_THAT(munmap(base, 3 * kPage), SyscallSucceeds());
}

TEST(MmapTest, FixedNoReplaceRefusesOverlap) {
  char* base = MapAnon(2 * kPage);
  ASSERT_NE(base, nullptr);
  EXPECT_THAT(mmap(base + kPage, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0),
              SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(munmap(base + kPage, kPage), SyscallSucceeds());
  EXPECT_THAT(mmap(base + kPage, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0),
              SyscallSucceedsWithValue(reinterpret_cast<intptr_t>(base + kPage)));
  EXPECT_THAT(munmap(base, 2 * kPage), SyscallSucceeds());
}

TEST(MmapTest, FixedUnalignedAddressIsInvalid) {
  char* base = MapAnon(2 * kPage);
  ASSERT_NE(base, nullptr);
  EXPECT_THAT(mmap(base + 1, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(munmap(base, 2 * kPage), SyscallSucceeds());
}

TEST(MmapTest, ZeroLengthIsInvalid) {
  EXPECT_THAT(mmap(nullptr, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              SyscallFailsWithErrno(EINVAL));
}

TEST(MmapTest, NeitherPrivateNorSharedIsInvalid) {
  EXPECT_THAT(mmap(nullptr, kPage, PROT_READ, MAP_ANONYMOUS, -1, 0),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              SyscallFailsWithErrno(EINVAL));
}

TEST(MmapTest, FileMappingOfBadFd) {
  EXPECT_THAT(mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE, -1, 0), SyscallFailsWithErrno(EBADF));
}

TEST(MmapTest, UnalignedOffsetIsInvalid) {
  const int fd = open("/etc/passwd", O_RDONLY);
  ASSERT_THAT(fd, SyscallSucceeds());
  EXPECT_THAT(mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE, fd, 1), SyscallFailsWithErrno(EINVAL));
  close(fd);
}

TEST(MmapTest, SharedAnonymousReadWrite) {
  char* p = MapAnon(2 * kPage, PROT_READ | PROT_WRITE, MAP_SHARED);
  ASSERT_NE(p, nullptr) << conformance::ErrnoName(errno);
  EXPECT_EQ(p[0], 0);
  strcpy(p, "shared");
  strcpy(p + kPage, "second page");
  EXPECT_STREQ(p, "shared");
  EXPECT_STREQ(p + kPage, "second page");
  EXPECT_THAT(munmap(p, 2 * kPage), SyscallSucceeds());
}

// mremap(old_size == 0) of a shared mapping creates a second mapping of the
// same pages: a fork-free way to see that MAP_SHARED memory is really shared.
TEST(MmapTest, SharedAnonymousAliasSeesWrites) {
  char* p = MapAnon(kPage, PROT_READ | PROT_WRITE, MAP_SHARED);
  ASSERT_NE(p, nullptr);
  void* q = mremap(p, 0, kPage, MREMAP_MAYMOVE);
  ASSERT_THAT(q, SyscallSucceeds());
  char* alias = static_cast<char*>(q);
  EXPECT_NE(alias, p);
  strcpy(p, "written through p");
  EXPECT_STREQ(alias, "written through p");
  strcpy(alias, "written through alias");
  EXPECT_STREQ(p, "written through alias");
  munmap(alias, kPage);
  munmap(p, kPage);
}

TEST(MunmapTest, UnalignedAddressIsInvalid) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(munmap(p + 1, kPage), SyscallFailsWithErrno(EINVAL));
  EXPECT_TRUE(IsMapped(p));
  EXPECT_THAT(munmap(p, kPage), SyscallSucceeds());
}

TEST(MunmapTest, ZeroLengthIsInvalid) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(munmap(p, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(munmap(p, kPage), SyscallSucceeds());
}

TEST(MunmapTest, UnmappedRangeSucceeds) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_THAT(munmap(p, kPage), SyscallSucceeds());
  EXPECT_THAT(munmap(p, kPage), SyscallSucceeds());  // nothing there is not an error
}

TEST(MunmapTest, MiddleOfAMappingSplitsIt) {
  char* p = MapAnon(3 * kPage);
  ASSERT_NE(p, nullptr);
  memset(p, 'm', 3 * kPage);
  ASSERT_THAT(munmap(p + kPage, kPage), SyscallSucceeds());
  EXPECT_TRUE(IsMapped(p));
  EXPECT_FALSE(IsMapped(p + kPage));
  EXPECT_TRUE(IsMapped(p + 2 * kPage));
  EXPECT_EQ(p[0], 'm');
  EXPECT_EQ(p[2 * kPage], 'm');
  munmap(p, 3 * kPage);
}

// uname() writes to its argument, access() reads its path: both report
// EFAULT when the memory does not allow that access.
TEST(MprotectTest, ReadOnlyRefusesKernelWrites) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  struct utsname* u = reinterpret_cast<struct utsname*>(p);
  EXPECT_THAT(syscall(SYS_uname, u), SyscallSucceeds());
  ASSERT_THAT(mprotect(p, kPage, PROT_READ), SyscallSucceeds());
  EXPECT_STREQ(u->sysname, "Linux") << "contents survive mprotect";
  EXPECT_THAT(syscall(SYS_uname, u), SyscallFailsWithErrno(EFAULT));
  ASSERT_THAT(mprotect(p, kPage, PROT_READ | PROT_WRITE), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_uname, u), SyscallSucceeds());
  munmap(p, kPage);
}

TEST(MprotectTest, NoneRefusesKernelReads) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  strcpy(p, "/");
  EXPECT_THAT(syscall(SYS_access, p, F_OK), SyscallSucceeds());
  ASSERT_THAT(mprotect(p, kPage, PROT_NONE), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_access, p, F_OK), SyscallFailsWithErrno(EFAULT));
  ASSERT_THAT(mprotect(p, kPage, PROT_READ), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_access, p, F_OK), SyscallSucceeds());
  EXPECT_STREQ(p, "/");
  munmap(p, kPage);
}

TEST(MprotectTest, UnalignedAddressIsInvalid) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(mprotect(p + 1, kPage, PROT_READ), SyscallFailsWithErrno(EINVAL));
  munmap(p, kPage);
}

TEST(MprotectTest, UnknownProtectionBitsAreInvalid) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(mprotect(p, kPage, 0x100 | PROT_READ), SyscallFailsWithErrno(EINVAL));
  munmap(p, kPage);
}

TEST(MprotectTest, UnmappedRangeIsENOMEM) {
  char* p = MapAnon(2 * kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_THAT(munmap(p + kPage, kPage), SyscallSucceeds());
  EXPECT_THAT(mprotect(p + kPage, kPage, PROT_READ), SyscallFailsWithErrno(ENOMEM));
  // Partly mapped: still ENOMEM.
  EXPECT_THAT(mprotect(p, 2 * kPage, PROT_READ), SyscallFailsWithErrno(ENOMEM));
  munmap(p, kPage);
}

TEST(MprotectTest, ZeroLengthSucceeds) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(mprotect(p, 0, PROT_READ), SyscallSucceeds());
  munmap(p, kPage);
}

TEST(MremapTest, GrowWithMayMoveKeepsContents) {
  char* p = MapAnon(2 * kPage);
  ASSERT_NE(p, nullptr);
  for (size_t i = 0; i < 2 * kPage; ++i) p[i] = static_cast<char>(i * 7);
  void* r = mremap(p, 2 * kPage, 16 * kPage, MREMAP_MAYMOVE);
  ASSERT_THAT(r, SyscallSucceeds());
  char* q = static_cast<char*>(r);
  for (size_t i = 0; i < 2 * kPage; ++i) ASSERT_EQ(q[i], static_cast<char>(i * 7)) << i;
  for (size_t i = 2 * kPage; i < 16 * kPage; ++i) ASSERT_EQ(q[i], 0) << i;
  q[16 * kPage - 1] = 1;
  EXPECT_THAT(munmap(q, 16 * kPage), SyscallSucceeds());
}

TEST(MremapTest, ShrinkInPlace) {
  char* p = MapAnon(4 * kPage);
  ASSERT_NE(p, nullptr);
  memset(p, 's', 4 * kPage);
  EXPECT_THAT(mremap(p, 4 * kPage, kPage, 0),
              SyscallSucceedsWithValue(reinterpret_cast<intptr_t>(p)));
  EXPECT_EQ(p[0], 's');
  EXPECT_TRUE(IsMapped(p));
  EXPECT_FALSE(IsMapped(p + kPage));
  EXPECT_FALSE(IsMapped(p + 3 * kPage));
  munmap(p, kPage);
}

TEST(MremapTest, CannotGrowInPlaceWithoutMayMove) {
  char* p = MapAnon(2 * kPage);
  ASSERT_NE(p, nullptr);
  // Make the second page a separate mapping that blocks growth in place.
  ASSERT_THAT(mprotect(p + kPage, kPage, PROT_READ), SyscallSucceeds());
  p[0] = 'k';
  EXPECT_THAT(mremap(p, kPage, 2 * kPage, 0), SyscallFailsWithErrno(ENOMEM));
  EXPECT_EQ(p[0], 'k');
  munmap(p, 2 * kPage);
}

TEST(MremapTest, UnalignedAddressIsInvalid) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(mremap(p + 1, kPage, 2 * kPage, MREMAP_MAYMOVE), SyscallFailsWithErrno(EINVAL));
  munmap(p, kPage);
}

TEST(MremapTest, FixedRequiresMayMove) {
  char* p = MapAnon(2 * kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(syscall(SYS_mremap, p, kPage, kPage, MREMAP_FIXED, p + kPage),
              SyscallFailsWithErrno(EINVAL));
  munmap(p, 2 * kPage);
}

TEST(MremapTest, FixedMovesToTarget) {
  char* p = MapAnon(4 * kPage);
  ASSERT_NE(p, nullptr);
  strcpy(p, "moving");
  void* r = mremap(p, kPage, kPage, MREMAP_MAYMOVE | MREMAP_FIXED, p + 2 * kPage);
  EXPECT_THAT(r, SyscallSucceedsWithValue(reinterpret_cast<intptr_t>(p + 2 * kPage)));
  EXPECT_STREQ(p + 2 * kPage, "moving");
  EXPECT_FALSE(IsMapped(p));
  munmap(p, 4 * kPage);
}

TEST(MremapTest, UnmappedSourceIsEFAULT) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_THAT(munmap(p, kPage), SyscallSucceeds());
  EXPECT_THAT(mremap(p, kPage, 2 * kPage, MREMAP_MAYMOVE), SyscallFailsWithErrno(EFAULT));
}

TEST(MadviseTest, DontNeedZeroFillsPrivateAnonymous) {
  char* p = MapAnon(2 * kPage);
  ASSERT_NE(p, nullptr);
  memset(p, 'd', 2 * kPage);
  EXPECT_TRUE(IsResident(p));
  ASSERT_THAT(madvise(p, kPage, MADV_DONTNEED), SyscallSucceeds());
  EXPECT_FALSE(IsResident(p)) << "the page was released";
  for (size_t i = 0; i < kPage; ++i) ASSERT_EQ(p[i], 0) << i;
  EXPECT_EQ(p[kPage], 'd') << "pages outside the range are untouched";
  munmap(p, 2 * kPage);
}

TEST(MadviseTest, DontNeedKeepsSharedAnonymousContents) {
  char* p = MapAnon(kPage, PROT_READ | PROT_WRITE, MAP_SHARED);
  ASSERT_NE(p, nullptr);
  strcpy(p, "still here");
  ASSERT_THAT(madvise(p, kPage, MADV_DONTNEED), SyscallSucceeds());
  EXPECT_STREQ(p, "still here");
  munmap(p, kPage);
}

TEST(MadviseTest, Errors) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(madvise(p + 1, kPage, MADV_DONTNEED), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(madvise(p, kPage, 12345), SyscallFailsWithErrno(EINVAL));
  ASSERT_THAT(munmap(p, kPage), SyscallSucceeds());
  EXPECT_THAT(madvise(p, kPage, MADV_DONTNEED), SyscallFailsWithErrno(ENOMEM));
}

TEST(MincoreTest, MappedAndTouched) {
  char* p = MapAnon(3 * kPage);
  ASSERT_NE(p, nullptr);
  p[0] = 1;
  p[2 * kPage] = 1;
  unsigned char vec[3] = {0xff, 0xff, 0xff};
  ASSERT_THAT(mincore(p, 3 * kPage, vec), SyscallSucceeds());
  EXPECT_EQ(vec[0] & 1, 1);
  EXPECT_EQ(vec[2] & 1, 1);
  // Only the low bit is defined; the others are reserved and zero.
  EXPECT_EQ(vec[0] & ~1, 0);
  munmap(p, 3 * kPage);
}

TEST(MincoreTest, UnmappedIsENOMEM) {
  char* p = MapAnon(2 * kPage);
  ASSERT_NE(p, nullptr);
  ASSERT_THAT(munmap(p + kPage, kPage), SyscallSucceeds());
  unsigned char vec[2];
  EXPECT_THAT(mincore(p + kPage, kPage, vec), SyscallFailsWithErrno(ENOMEM));
  EXPECT_THAT(mincore(p, 2 * kPage, vec), SyscallFailsWithErrno(ENOMEM));
  munmap(p, kPage);
}

TEST(MincoreTest, UnalignedAddressIsInvalid) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  unsigned char vec;
  EXPECT_THAT(mincore(p + 1, kPage, &vec), SyscallFailsWithErrno(EINVAL));
  munmap(p, kPage);
}

TEST(MincoreTest, BadVectorIsEFAULT) {
  char* p = MapAnon(kPage);
  ASSERT_NE(p, nullptr);
  p[0] = 1;
  EXPECT_THAT(syscall(SYS_mincore, p, kPage, reinterpret_cast<void*>(1)),
              SyscallFailsWithErrno(EFAULT));
  munmap(p, kPage);
}

}  // namespace
