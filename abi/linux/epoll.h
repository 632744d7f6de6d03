// epoll(7) and poll(2) structures as the x86_64 and i386 ABIs lay them out
// (include/uapi/linux/eventpoll.h, asm-generic/poll.h).
#ifndef ABI_LINUX_EPOLL_H_
#define ABI_LINUX_EPOLL_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

// struct epoll_event is packed on x86 (both ABIs): 12 bytes.
struct __attribute__((packed)) EpollEvent {
  uint32_t events;
  uint64_t data;
};
static_assert(sizeof(EpollEvent) == 12);
static_assert(offsetof(EpollEvent, data) == 4);

inline constexpr int kEpollCtlAdd = 1;
inline constexpr int kEpollCtlDel = 2;
inline constexpr int kEpollCtlMod = 3;

inline constexpr uint32_t kEpollIn = 0x001;
inline constexpr uint32_t kEpollPri = 0x002;
inline constexpr uint32_t kEpollOut = 0x004;
inline constexpr uint32_t kEpollErr = 0x008;
inline constexpr uint32_t kEpollHup = 0x010;
inline constexpr uint32_t kEpollRdNorm = 0x040;
inline constexpr uint32_t kEpollRdBand = 0x080;
inline constexpr uint32_t kEpollWrNorm = 0x100;
inline constexpr uint32_t kEpollWrBand = 0x200;
inline constexpr uint32_t kEpollMsg = 0x400;
inline constexpr uint32_t kEpollRdHup = 0x2000;
inline constexpr uint32_t kEpollExclusive = 1u << 28;
inline constexpr uint32_t kEpollWakeup = 1u << 29;
inline constexpr uint32_t kEpollOneshot = 1u << 30;
inline constexpr uint32_t kEpollEt = 1u << 31;

// The most events one epoll_wait returns (EP_MAX_EVENTS).
inline constexpr int kEpMaxEvents = INT32_MAX / sizeof(EpollEvent);

// struct pollfd (same on both ABIs).
struct Pollfd {
  int32_t fd;
  int16_t events;
  int16_t revents;
};
static_assert(sizeof(Pollfd) == 8);

}  // namespace uapi

#endif  // ABI_LINUX_EPOLL_H_
