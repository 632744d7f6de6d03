// Time structures as the x86_64 and i386 syscall ABIs lay them out in user
// memory (include/uapi/linux/time.h, time_types.h, times.h).
#ifndef ABI_LINUX_TIME_H_
#define ABI_LINUX_TIME_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kMicrosPerSecond = 1'000'000;

// struct timespec / struct __kernel_timespec.
struct Timespec {
  int64_t tv_sec;
  int64_t tv_nsec;
};
static_assert(sizeof(Timespec) == 16);
static_assert(offsetof(Timespec, tv_nsec) == 8);

// struct timeval.
struct Timeval {
  int64_t tv_sec;
  int64_t tv_usec;
};
static_assert(sizeof(Timeval) == 16);
static_assert(offsetof(Timeval, tv_usec) == 8);

// struct timezone (gettimeofday, settimeofday).
struct Timezone {
  int32_t tz_minuteswest;
  int32_t tz_dsttime;
};
static_assert(sizeof(Timezone) == 8);

// struct itimerspec (timer_settime, timerfd_settime).
struct Itimerspec {
  Timespec it_interval;
  Timespec it_value;
};
static_assert(sizeof(Itimerspec) == 32);
static_assert(offsetof(Itimerspec, it_value) == 16);

// struct itimerval (setitimer, getitimer).
struct Itimerval {
  Timeval it_interval;
  Timeval it_value;
};
static_assert(sizeof(Itimerval) == 32);
static_assert(offsetof(Itimerval, it_value) == 16);

// struct tms (times). Values are in clock ticks (USER_HZ = 100).
struct Tms {
  int64_t tms_utime;
  int64_t tms_stime;
  int64_t tms_cutime;
  int64_t tms_cstime;
};
static_assert(sizeof(Tms) == 32);

inline constexpr int64_t kUserHz = 100;

// i386 variants: time_t, suseconds_t and clock_t are 32 bits there
// (struct old_timespec32, old_timeval32, old_itimerspec32, compat_tms).
// The i386 *_time64 syscalls use Timespec above.
struct Timespec32 {
  int32_t tv_sec;
  int32_t tv_nsec;
};
static_assert(sizeof(Timespec32) == 8);

struct Timeval32 {
  int32_t tv_sec;
  int32_t tv_usec;
};
static_assert(sizeof(Timeval32) == 8);

struct Itimerspec32 {
  Timespec32 it_interval;
  Timespec32 it_value;
};
static_assert(sizeof(Itimerspec32) == 16);

struct Itimerval32 {
  Timeval32 it_interval;
  Timeval32 it_value;
};
static_assert(sizeof(Itimerval32) == 16);

struct Tms32 {
  int32_t tms_utime;
  int32_t tms_stime;
  int32_t tms_cutime;
  int32_t tms_cstime;
};
static_assert(sizeof(Tms32) == 16);

}  // namespace uapi

#endif  // ABI_LINUX_TIME_H_
