// clock_gettime(2), clock_getres(2), gettimeofday(2), time(2), nanosleep(2),
// clock_nanosleep(2). glibc answers the first three from the vDSO without a
// system call, so they are called through syscall(2) here.
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

int64_t ToNs(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct timespec RawClock(clockid_t id) {
  struct timespec ts = {-1, -1};
  EXPECT_THAT(syscall(SYS_clock_gettime, id, &ts), SyscallSucceedsWithValue(0)) << "clock " << id;
  return ts;
}

void ExpectNormalized(const struct timespec& ts) {
  EXPECT_GE(ts.tv_sec, 0);
  EXPECT_GE(ts.tv_nsec, 0);
  EXPECT_LT(ts.tv_nsec, 1000000000);
}

TEST(ClockGettimeTest, RealtimeIsPlausible) {
  const struct timespec ts = RawClock(CLOCK_REALTIME);
  ExpectNormalized(ts);
  EXPECT_GT(ts.tv_sec, 1600000000) << "realtime clock is before September 2020";
}

TEST(ClockGettimeTest, MonotonicNeverGoesBackwards) {
  int64_t prev = ToNs(RawClock(CLOCK_MONOTONIC));
  for (int i = 0; i < 2000; ++i) {
    const struct timespec ts = RawClock(CLOCK_MONOTONIC);
    ExpectNormalized(ts);
    const int64_t now = ToNs(ts);
    ASSERT_GE(now, prev) << "iteration " << i;
    prev = now;
  }
}

TEST(ClockGettimeTest, RealtimeAgreesWithTimeAndGettimeofday) {
  const long t0 = syscall(SYS_time, nullptr);
  struct timeval tv;
  ASSERT_THAT(syscall(SYS_gettimeofday, &tv, nullptr), SyscallSucceedsWithValue(0));
  const struct timespec ts = RawClock(CLOCK_REALTIME);
  const long t1 = syscall(SYS_time, nullptr);
  EXPECT_GE(tv.tv_usec, 0);
  EXPECT_LT(tv.tv_usec, 1000000);
  // time(2) reads the coarse clock (ktime_get_real_seconds(), updated at
  // the tick), which may lag gettimeofday/clock_gettime by up to a tick
  // across a second boundary: allow t1 one second behind.
  EXPECT_GE(tv.tv_sec + 1, t0);
  EXPECT_LE(tv.tv_sec, t1 + 1);
  EXPECT_GE(ts.tv_sec, tv.tv_sec);
  EXPECT_LE(ts.tv_sec, t1 + 1);
}

TEST(ClockGettimeTest, TimeStoresThroughPointer) {
  time_t stored = 0;
  const long r = syscall(SYS_time, &stored);
  EXPECT_GT(r, 0);
  EXPECT_EQ(stored, r);
}

TEST(ClockGettimeTest, OtherClocks) {
  const int64_t mono = ToNs(RawClock(CLOCK_MONOTONIC));
  const int64_t boot = ToNs(RawClock(CLOCK_BOOTTIME));
  EXPECT_GE(boot, mono) << "boot time includes suspend, so it is never behind monotonic";
  ExpectNormalized(RawClock(CLOCK_MONOTONIC_RAW));
  ExpectNormalized(RawClock(CLOCK_REALTIME_COARSE));
  ExpectNormalized(RawClock(CLOCK_MONOTONIC_COARSE));
  const struct timespec cpu = RawClock(CLOCK_PROCESS_CPUTIME_ID);
  ExpectNormalized(cpu);
  EXPECT_GT(ToNs(cpu), 0) << "this process has used some CPU";
  ExpectNormalized(RawClock(CLOCK_THREAD_CPUTIME_ID));
}

TEST(ClockGettimeTest, InvalidClockIsEINVAL) {
  struct timespec ts;
  EXPECT_THAT(syscall(SYS_clock_gettime, 100, &ts), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_clock_gettime, 12345, &ts), SyscallFailsWithErrno(EINVAL));
}

TEST(ClockGetresTest, HighResolutionClocks) {
  for (clockid_t id : {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME}) {
    struct timespec res = {-1, -1};
    ASSERT_THAT(syscall(SYS_clock_getres, id, &res), SyscallSucceedsWithValue(0)) << id;
    EXPECT_EQ(res.tv_sec, 0) << id;
    EXPECT_GT(res.tv_nsec, 0) << id;
    EXPECT_LE(res.tv_nsec, 1000000) << id << ": resolution coarser than 1 ms";
  }
}

TEST(ClockGetresTest, NullResultIsAllowed) {
  EXPECT_THAT(syscall(SYS_clock_getres, CLOCK_MONOTONIC, nullptr), SyscallSucceedsWithValue(0));
}

TEST(ClockGetresTest, InvalidClockIsEINVAL) {
  struct timespec res;
  EXPECT_THAT(syscall(SYS_clock_getres, 100, &res), SyscallFailsWithErrno(EINVAL));
}

TEST(NanosleepTest, SleepsAtLeastTheRequestedTime) {
  const int64_t before = ToNs(RawClock(CLOCK_MONOTONIC));
  struct timespec req = {0, 10 * 1000 * 1000};
  struct timespec rem = {-1, -1};
  EXPECT_THAT(syscall(SYS_nanosleep, &req, &rem), SyscallSucceedsWithValue(0));
  const int64_t after = ToNs(RawClock(CLOCK_MONOTONIC));
  EXPECT_GE(after - before, 10 * 1000 * 1000);
}

TEST(NanosleepTest, ZeroReturnsImmediately) {
  struct timespec req = {0, 0};
  EXPECT_THAT(syscall(SYS_nanosleep, &req, nullptr), SyscallSucceedsWithValue(0));
}

TEST(NanosleepTest, InvalidTimespecIsEINVAL) {
  struct timespec too_many_ns = {0, 1000000000};
  EXPECT_THAT(syscall(SYS_nanosleep, &too_many_ns, nullptr), SyscallFailsWithErrno(EINVAL));
  struct timespec negative_ns = {0, -1};
  EXPECT_THAT(syscall(SYS_nanosleep, &negative_ns, nullptr), SyscallFailsWithErrno(EINVAL));
  struct timespec negative_sec = {-1, 0};
  EXPECT_THAT(syscall(SYS_nanosleep, &negative_sec, nullptr), SyscallFailsWithErrno(EINVAL));
}

TEST(ClockNanosleepTest, AbsoluteDeadlineInThePastReturnsAtOnce) {
  struct timespec deadline = RawClock(CLOCK_MONOTONIC);
  deadline.tv_sec -= 1;
  EXPECT_THAT(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr),
              SyscallSucceedsWithValue(0));
}

TEST(ClockNanosleepTest, RelativeSleep) {
  const int64_t before = ToNs(RawClock(CLOCK_MONOTONIC));
  struct timespec req = {0, 5 * 1000 * 1000};
  EXPECT_THAT(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, nullptr),
              SyscallSucceedsWithValue(0));
  EXPECT_GE(ToNs(RawClock(CLOCK_MONOTONIC)) - before, 5 * 1000 * 1000);
}

TEST(ClockNanosleepTest, InvalidClockIsEINVAL) {
  struct timespec req = {0, 1000};
  EXPECT_THAT(syscall(SYS_clock_nanosleep, 12345, 0, &req, nullptr),
              SyscallFailsWithErrno(EINVAL));
}

}  // namespace
