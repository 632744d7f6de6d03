// struct iovec as readv/writev/process_vm_* read it from user memory.
#ifndef ABI_LINUX_UIO_H_
#define ABI_LINUX_UIO_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

// Most iovecs a single call accepts (UIO_MAXIOV).
inline constexpr int kUioMaxIov = 1024;

// x86_64 struct iovec: iov_base, iov_len.
struct Iovec {
  uint64_t base;
  uint64_t len;
};
static_assert(sizeof(Iovec) == 16);
static_assert(offsetof(Iovec, len) == 8);

// i386 struct compat_iovec.
struct Iovec32 {
  uint32_t base;
  uint32_t len;
};
static_assert(sizeof(Iovec32) == 8);
static_assert(offsetof(Iovec32, len) == 4);

}  // namespace uapi

#endif  // ABI_LINUX_UIO_H_
