// brk(2), always through the raw system call: the kernel returns the new
// break on success and the unchanged break on failure (glibc's brk()/sbrk()
// hide that and cache the value).
//
// malloc also moves the break. Each test therefore records raw results into
// locals with no allocation between the calls, restores the original break,
// and only then checks the results.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

constexpr uintptr_t kPage = 4096;

uintptr_t Brk(uintptr_t addr) { return static_cast<uintptr_t>(syscall(SYS_brk, addr)); }

TEST(BrkTest, QueryReturnsCurrentBreak) {
  const uintptr_t a = Brk(0);
  const uintptr_t b = Brk(0);
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, static_cast<uintptr_t>(-1));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, reinterpret_cast<uintptr_t>(sbrk(0)));
}

TEST(BrkTest, GrowWriteShrink) {
  const uintptr_t start = Brk(0);
  const uintptr_t grown = Brk(start + 2 * kPage);
  bool ok = false;
  if (grown == start + 2 * kPage) {
    // The whole new range is usable memory, zero-filled beyond the old
    // page-rounded break.
    char* p = reinterpret_cast<char*>(start);
    memset(p, 0xA5, 2 * kPage);
    ok = true;
    for (uintptr_t i = 0; i < 2 * kPage; ++i) {
      if (static_cast<unsigned char>(p[i]) != 0xA5) ok = false;
    }
  }
  const uintptr_t after_grow_query = Brk(0);
  const uintptr_t shrunk = Brk(start + kPage);
  const uintptr_t after_shrink_query = Brk(0);
  const uintptr_t restored = Brk(start);

  EXPECT_EQ(grown, start + 2 * kPage);
  EXPECT_TRUE(ok) << "memory between the old and new break is not writable";
  EXPECT_EQ(after_grow_query, start + 2 * kPage);
  EXPECT_EQ(shrunk, start + kPage);
  EXPECT_EQ(after_shrink_query, start + kPage);
  EXPECT_EQ(restored, start);
}

TEST(BrkTest, RegrownMemoryIsZero) {
  const uintptr_t start = Brk(0);
  // Work on whole pages above the current break so that shrinking really
  // unmaps them.
  const uintptr_t base = (start + kPage - 1) & ~(kPage - 1);
  const uintptr_t r1 = Brk(base + kPage);
  bool wrote = false;
  if (r1 == base + kPage) {
    memset(reinterpret_cast<void*>(base), 0x77, kPage);
    wrote = true;
  }
  const uintptr_t r2 = Brk(base);
  const uintptr_t r3 = Brk(base + kPage);
  bool zero = false;
  if (r3 == base + kPage) {
    zero = true;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(base);
    for (uintptr_t i = 0; i < kPage; ++i) {
      if (p[i] != 0) zero = false;
    }
  }
  const uintptr_t restored = Brk(start);

  EXPECT_EQ(r1, base + kPage);
  EXPECT_TRUE(wrote);
  EXPECT_EQ(r2, base);
  EXPECT_EQ(r3, base + kPage);
  EXPECT_TRUE(zero) << "a page released by brk and grown again must be zero-filled";
  EXPECT_EQ(restored, start);
}

TEST(BrkTest, BelowStartIsRefused) {
  const uintptr_t start = Brk(0);
  const uintptr_t r1 = Brk(1);
  const uintptr_t r2 = Brk(kPage);
  const uintptr_t after = Brk(0);
  EXPECT_EQ(r1, start);
  EXPECT_EQ(r2, start);
  EXPECT_EQ(after, start);
}

TEST(BrkTest, HugeRequestIsRefused) {
  const uintptr_t start = Brk(0);
  // Beyond the user address space, and into the kernel half.
  const uintptr_t r1 = Brk(static_cast<uintptr_t>(-kPage));
  const uintptr_t r2 = Brk(uintptr_t{1} << 47);
  const uintptr_t after = Brk(0);
  EXPECT_EQ(r1, start);
  EXPECT_EQ(r2, start);
  EXPECT_EQ(after, start);
}

TEST(BrkTest, CannotGrowOverAStackOrMapping) {
  const uintptr_t start = Brk(0);
  // The address of a local variable is in the stack mapping, far above the
  // heap; growing the break over it must fail.
  int local = 0;
  const uintptr_t target = reinterpret_cast<uintptr_t>(&local);
  const uintptr_t r = Brk(target);
  const uintptr_t after = Brk(0);
  EXPECT_GT(target, start);
  EXPECT_EQ(r, start);
  EXPECT_EQ(after, start);
}

}  // namespace
