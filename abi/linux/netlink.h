// Netlink and rtnetlink structures (include/uapi/linux/netlink.h,
// rtnetlink.h, if_link.h, if_addr.h); identical on x86_64 and i386.
#ifndef ABI_LINUX_NETLINK_H_
#define ABI_LINUX_NETLINK_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

// struct sockaddr_nl.
struct SockaddrNl {
  uint16_t nl_family;
  uint16_t nl_pad;
  uint32_t nl_pid;
  uint32_t nl_groups;
};
static_assert(sizeof(SockaddrNl) == 12);

// struct nlmsghdr.
struct NlMsgHdr {
  uint32_t nlmsg_len;
  uint16_t nlmsg_type;
  uint16_t nlmsg_flags;
  uint32_t nlmsg_seq;
  uint32_t nlmsg_pid;
};
static_assert(sizeof(NlMsgHdr) == 16);

// struct nlmsgerr: the error, then the request's header (and, without
// NETLINK_CAP_ACK, its payload).
struct NlMsgErr {
  int32_t error;
  NlMsgHdr msg;
};
static_assert(sizeof(NlMsgErr) == 20);

inline constexpr uint32_t kNlMsgAlignTo = 4;
constexpr uint32_t NlMsgAlign(uint32_t len) {
  return (len + kNlMsgAlignTo - 1) & ~(kNlMsgAlignTo - 1);
}

// Protocols.
inline constexpr int kNetlinkRoute = 0;

// Message types (netlink.h).
inline constexpr uint16_t kNlmsgNoop = 1;
inline constexpr uint16_t kNlmsgError = 2;
inline constexpr uint16_t kNlmsgDone = 3;
inline constexpr uint16_t kNlmsgOverrun = 4;
inline constexpr uint16_t kNlmsgMinType = 0x10;

// Flags.
inline constexpr uint16_t kNlmFRequest = 0x01;
inline constexpr uint16_t kNlmFMulti = 0x02;
inline constexpr uint16_t kNlmFAck = 0x04;
inline constexpr uint16_t kNlmFEcho = 0x08;
inline constexpr uint16_t kNlmFDumpIntr = 0x10;
inline constexpr uint16_t kNlmFRoot = 0x100;
inline constexpr uint16_t kNlmFMatch = 0x200;
inline constexpr uint16_t kNlmFDump = kNlmFRoot | kNlmFMatch;
inline constexpr uint16_t kNlmFCapped = 0x100;  // in NLMSG_ERROR replies

// Socket options at SOL_NETLINK (270).
inline constexpr int kSolNetlink = 270;
inline constexpr int kNetlinkAddMembership = 1;
inline constexpr int kNetlinkDropMembership = 2;
inline constexpr int kNetlinkPktinfo = 3;
inline constexpr int kNetlinkCapAck = 10;
inline constexpr int kNetlinkExtAck = 11;
inline constexpr int kNetlinkGetStrictChk = 12;

// rtnetlink message types (rtnetlink.h): groups of four, NEW/DEL/GET/SET.
inline constexpr uint16_t kRtmBase = 16;
inline constexpr uint16_t kRtmNewLink = 16;
inline constexpr uint16_t kRtmDelLink = 17;
inline constexpr uint16_t kRtmGetLink = 18;
inline constexpr uint16_t kRtmSetLink = 19;
inline constexpr uint16_t kRtmNewAddr = 20;
inline constexpr uint16_t kRtmDelAddr = 21;
inline constexpr uint16_t kRtmGetAddr = 22;
inline constexpr uint16_t kRtmNewRoute = 24;
inline constexpr uint16_t kRtmDelRoute = 25;
inline constexpr uint16_t kRtmGetRoute = 26;
inline constexpr uint16_t kRtmMax = 0x7f;  // rounded up a little

// struct ifinfomsg.
struct IfInfoMsg {
  uint8_t ifi_family;
  uint8_t pad;
  uint16_t ifi_type;
  int32_t ifi_index;
  uint32_t ifi_flags;
  uint32_t ifi_change;
};
static_assert(sizeof(IfInfoMsg) == 16);

// struct ifaddrmsg.
struct IfAddrMsg {
  uint8_t ifa_family;
  uint8_t ifa_prefixlen;
  uint8_t ifa_flags;
  uint8_t ifa_scope;
  uint32_t ifa_index;
};
static_assert(sizeof(IfAddrMsg) == 8);

// struct rtmsg.
struct RtMsg {
  uint8_t rtm_family;
  uint8_t rtm_dst_len;
  uint8_t rtm_src_len;
  uint8_t rtm_tos;
  uint8_t rtm_table;
  uint8_t rtm_protocol;
  uint8_t rtm_scope;
  uint8_t rtm_type;
  uint32_t rtm_flags;
};
static_assert(sizeof(RtMsg) == 12);

// struct rtattr.
struct RtAttr {
  uint16_t rta_len;
  uint16_t rta_type;
};
static_assert(sizeof(RtAttr) == 4);

}  // namespace uapi

#endif  // ABI_LINUX_NETLINK_H_
