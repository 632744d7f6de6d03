// gMock-style matchers for the return value of a system call (or of a libc
// wrapper that follows the "-1 and errno" convention).
//
//   EXPECT_THAT(write(-1, buf, 1), SyscallFailsWithErrno(EBADF));
//   EXPECT_THAT(syscall(SYS_getpid), SyscallSucceedsWithValue(getpid()));
//   EXPECT_THAT(close(fd), SyscallSucceeds());
//   EXPECT_THAT(read(fd, buf, n), SyscallSucceedsWithValue(::testing::Gt(0)));
//
// A result is a failure when it equals -1 (for integers) or MAP_FAILED (for
// pointers, as returned by mmap/mremap). errno is read as the very first thing
// the matcher does, so nothing else may run between the call under test and
// the matcher: write the call directly inside EXPECT_THAT/ASSERT_THAT.
#ifndef TESTS_CONFORMANCE_LIB_SYSCALL_MATCHERS_H_
#define TESTS_CONFORMANCE_LIB_SYSCALL_MATCHERS_H_

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <type_traits>

#include <gmock/gmock.h>

namespace conformance {

// "EBADF (Bad file descriptor)"; falls back to the number for unknown values.
inline std::string ErrnoName(int e) {
  const char* name = strerrorname_np(e);  // glibc >= 2.32
  std::string out = name != nullptr ? name : "errno " + std::to_string(e);
  out += " (";
  out += strerrordesc_np(e) != nullptr ? strerrordesc_np(e) : "unknown";
  out += ")";
  return out;
}

namespace internal {

template <typename T>
bool IsFailureValue(T v) {
  if constexpr (std::is_pointer_v<T>) {
    return reinterpret_cast<const void*>(v) == reinterpret_cast<const void*>(-1);
  } else {
    static_assert(std::is_integral_v<T>, "syscall result must be an integer or a pointer");
    return v == static_cast<T>(-1);
  }
}

template <typename T>
int64_t AsInt64(T v) {
  if constexpr (std::is_pointer_v<T>) {
    return static_cast<int64_t>(reinterpret_cast<uintptr_t>(v));
  } else {
    return static_cast<int64_t>(v);
  }
}

class SyscallResultMatcher {
 public:
  enum class Kind { kSucceeds, kSucceedsWithValue, kFails, kFailsWithErrno };

  SyscallResultMatcher(Kind kind, ::testing::Matcher<int64_t> value, int expected_errno)
      : kind_(kind), value_(std::move(value)), errno_(expected_errno) {}

  template <typename T>
  bool MatchAndExplain(T result, ::testing::MatchResultListener* listener) const {
    const int actual_errno = errno;  // first, before anything can clobber it
    const bool failed = IsFailureValue(result);
    if (failed) {
      *listener << "which failed with errno " << ErrnoName(actual_errno);
    } else {
      *listener << "which succeeded with value " << AsInt64(result);
    }
    switch (kind_) {
      case Kind::kSucceeds:
        return !failed;
      case Kind::kSucceedsWithValue: {
        if (failed) return false;
        ::testing::StringMatchResultListener inner;
        const bool ok = value_.MatchAndExplain(AsInt64(result), &inner);
        if (!inner.str().empty()) *listener << ", " << inner.str();
        return ok;
      }
      case Kind::kFails:
        return failed;
      case Kind::kFailsWithErrno:
        return failed && actual_errno == errno_;
    }
    return false;
  }

  void DescribeTo(std::ostream* os) const {
    switch (kind_) {
      case Kind::kSucceeds:
        *os << "succeeds (is not -1)";
        break;
      case Kind::kSucceedsWithValue:
        *os << "succeeds with a value that ";
        value_.DescribeTo(os);
        break;
      case Kind::kFails:
        *os << "fails (is -1) with any errno";
        break;
      case Kind::kFailsWithErrno:
        *os << "fails (is -1) with errno " << ErrnoName(errno_);
        break;
    }
  }

  void DescribeNegationTo(std::ostream* os) const {
    *os << "not (";
    DescribeTo(os);
    *os << ")";
  }

 private:
  Kind kind_;
  ::testing::Matcher<int64_t> value_;
  int errno_;
};

}  // namespace internal

inline ::testing::PolymorphicMatcher<internal::SyscallResultMatcher> SyscallSucceeds() {
  return ::testing::MakePolymorphicMatcher(internal::SyscallResultMatcher(
      internal::SyscallResultMatcher::Kind::kSucceeds, ::testing::_, 0));
}

// `value` is either a plain number or any gMock matcher of an integer
// (::testing::Gt(0), ::testing::AnyOf(...)). Pointer results are compared as
// their integer address.
inline ::testing::PolymorphicMatcher<internal::SyscallResultMatcher> SyscallSucceedsWithValue(
    ::testing::Matcher<int64_t> value) {
  return ::testing::MakePolymorphicMatcher(internal::SyscallResultMatcher(
      internal::SyscallResultMatcher::Kind::kSucceedsWithValue, std::move(value), 0));
}

inline ::testing::PolymorphicMatcher<internal::SyscallResultMatcher> SyscallFails() {
  return ::testing::MakePolymorphicMatcher(internal::SyscallResultMatcher(
      internal::SyscallResultMatcher::Kind::kFails, ::testing::_, 0));
}

inline ::testing::PolymorphicMatcher<internal::SyscallResultMatcher> SyscallFailsWithErrno(
    int expected_errno) {
  return ::testing::MakePolymorphicMatcher(internal::SyscallResultMatcher(
      internal::SyscallResultMatcher::Kind::kFailsWithErrno, ::testing::_, expected_errno));
}

}  // namespace conformance

using conformance::SyscallFails;
using conformance::SyscallFailsWithErrno;
using conformance::SyscallSucceeds;
using conformance::SyscallSucceedsWithValue;

#endif  // TESTS_CONFORMANCE_LIB_SYSCALL_MATCHERS_H_
