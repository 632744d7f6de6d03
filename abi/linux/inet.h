// Internet socket structures as the x86_64 and i386 ABIs lay them out
// (include/uapi/linux/in.h, in6.h, tcp.h, if.h). Both ABIs agree on all of
// them except struct ifreq/ifconf, whose tails hold pointers: only the
// parts both share are described here.
#ifndef ABI_LINUX_INET_H_
#define ABI_LINUX_INET_H_

#include <cstddef>
#include <cstdint>

#include "abi/linux/time.h"

namespace uapi {

// struct sockaddr_in: 16 bytes, port and address in network byte order.
struct SockaddrIn {
  uint16_t sin_family;
  uint16_t sin_port;
  uint32_t sin_addr;
  uint8_t sin_zero[8];
};
static_assert(sizeof(SockaddrIn) == 16);
static_assert(offsetof(SockaddrIn, sin_addr) == 4);

// struct sockaddr_in6: 28 bytes. Linux accepts 24 bytes (the RFC 2133
// layout without sin6_scope_id): SIN6_LEN_RFC2133.
struct SockaddrIn6 {
  uint16_t sin6_family;
  uint16_t sin6_port;
  uint32_t sin6_flowinfo;
  uint8_t sin6_addr[16];
  uint32_t sin6_scope_id;
};
static_assert(sizeof(SockaddrIn6) == 28);
static_assert(offsetof(SockaddrIn6, sin6_addr) == 8);
static_assert(offsetof(SockaddrIn6, sin6_scope_id) == 24);
inline constexpr size_t kSin6LenRfc2133 = 24;

// struct linger (SO_LINGER).
struct Linger {
  int32_t l_onoff;
  int32_t l_linger;
};
static_assert(sizeof(Linger) == 8);

// struct timeval as SO_RCVTIMEO/SO_SNDTIMEO carry it: 16 bytes on x86_64
// (and in SO_*TIMEO_NEW), 8 on i386 (Timeval32, abi/linux/time.h).
struct Timeval64 {
  int64_t tv_sec;
  int64_t tv_usec;
};
static_assert(sizeof(Timeval64) == 16);

// struct tcp_info: the first fields, stable since Linux 2.6; newer kernels
// append more (getsockopt copies min(optlen, what the kernel has)).
struct TcpInfoHead {
  uint8_t tcpi_state;
  uint8_t tcpi_ca_state;
  uint8_t tcpi_retransmits;
  uint8_t tcpi_probes;
  uint8_t tcpi_backoff;
  uint8_t tcpi_options;
  uint8_t tcpi_wscale;  // snd_wscale:4, rcv_wscale:4
  uint8_t tcpi_flags;   // delivery_rate_app_limited:1, fastopen_client_fail:2
  uint32_t tcpi_rto;
  uint32_t tcpi_ato;
  uint32_t tcpi_snd_mss;
  uint32_t tcpi_rcv_mss;
  uint32_t tcpi_unacked;
  uint32_t tcpi_sacked;
  uint32_t tcpi_lost;
  uint32_t tcpi_retrans;
  uint32_t tcpi_fackets;
  uint32_t tcpi_last_data_sent;
  uint32_t tcpi_last_ack_sent;
  uint32_t tcpi_last_data_recv;
  uint32_t tcpi_last_ack_recv;
  uint32_t tcpi_pmtu;
  uint32_t tcpi_rcv_ssthresh;
  uint32_t tcpi_rtt;
  uint32_t tcpi_rttvar;
  uint32_t tcpi_snd_ssthresh;
  uint32_t tcpi_snd_cwnd;
  uint32_t tcpi_advmss;
  uint32_t tcpi_reordering;
  uint32_t tcpi_rcv_rtt;
  uint32_t tcpi_rcv_space;
  uint32_t tcpi_total_retrans;
};
static_assert(sizeof(TcpInfoHead) == 104);
static_assert(offsetof(TcpInfoHead, tcpi_rto) == 8);
// The whole struct as Linux 6.x has it (through tcpi_rcv_wnd et al.).
inline constexpr size_t kTcpInfoMaxSize = 256;

// IFNAMSIZ and the part of struct ifreq both ABIs share: the name and the
// first 16 bytes of the union (a sockaddr, flags, an index, an MTU). The
// union is 24 bytes on x86_64 (struct ifmap holds unsigned longs) and 16 on
// i386, so ifreq is 40 or 32 bytes.
inline constexpr size_t kIfNameSize = 16;
struct IfreqHead {
  char name[kIfNameSize];
  uint8_t data[16];
};
static_assert(sizeof(IfreqHead) == 32);
inline constexpr size_t kIfreqSize64 = 40;
inline constexpr size_t kIfreqSize32 = 32;

// struct ifconf (ifc_len, ifc_buf; named without the prefix, which
// <net/if.h> defines as macros) on x86_64: int ifc_len, then (padded) a pointer.
struct Ifconf64 {
  int32_t len;
  int32_t pad;
  uint64_t buf;
};
static_assert(sizeof(Ifconf64) == 16);
struct Ifconf32 {
  int32_t len;
  uint32_t buf;
};
static_assert(sizeof(Ifconf32) == 8);

// Interface ioctls (include/uapi/linux/sockios.h).
inline constexpr uint64_t kSIOCGIFNAME = 0x8910;
inline constexpr uint64_t kSIOCGIFCONF = 0x8912;
inline constexpr uint64_t kSIOCGIFFLAGS = 0x8913;
inline constexpr uint64_t kSIOCGIFADDR = 0x8915;
inline constexpr uint64_t kSIOCGIFDSTADDR = 0x8917;
inline constexpr uint64_t kSIOCGIFBRDADDR = 0x8919;
inline constexpr uint64_t kSIOCGIFNETMASK = 0x891b;
inline constexpr uint64_t kSIOCGIFMTU = 0x8921;
inline constexpr uint64_t kSIOCGIFHWADDR = 0x8927;
inline constexpr uint64_t kSIOCGIFINDEX = 0x8933;
inline constexpr uint64_t kSIOCGIFTXQLEN = 0x8942;
// Socket queue ioctls: SIOCINQ is FIONREAD, SIOCOUTQ is TIOCOUTQ.
inline constexpr uint64_t kSIOCINQ = 0x541B;
inline constexpr uint64_t kSIOCOUTQ = 0x5411;
inline constexpr uint64_t kSIOCOUTQNSD = 0x894B;
inline constexpr uint64_t kSIOCATMARK = 0x8905;
// The last packet's receive time: the old forms take the caller's native
// timeval/timespec (32-bit fields on i386), the _NEW forms (Linux 5.1)
// always two 64-bit fields.
inline constexpr uint64_t kSIOCGSTAMP_OLD = 0x8906;
inline constexpr uint64_t kSIOCGSTAMPNS_OLD = 0x8907;
inline constexpr uint64_t kSIOCGSTAMP_NEW = 0x80108906;
inline constexpr uint64_t kSIOCGSTAMPNS_NEW = 0x80108907;

}  // namespace uapi

#endif  // ABI_LINUX_INET_H_
