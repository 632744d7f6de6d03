#include "sentry/socket/netns/interfaces.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "abi/linux/inet.h"
#include "platform/platform.h"
#include "sentry/kernel/task.h"
#include "sentry/socket/netns/network.h"

namespace sentry::socket {

namespace {

// Most interfaces one SIOCGIFCONF reports (the rest are cut, as a short
// buffer cuts them on Linux).
constexpr size_t kMaxIfconfEntries = 256;

int64_t Ifconf(Task& t, Network& net, uint64_t arg) {
  const bool compat = t.current_syscall().arch == platform::Arch::kI386;
  const size_t entry = compat ? uapi::kIfreqSize32 : uapi::kIfreqSize64;
  int32_t len;
  uint64_t buf;
  if (compat) {
    uapi::Ifconf32 c;
    if (t.CopyInObj(arg, &c) < 0) return -EFAULT;
    len = c.len;
    buf = c.buf;
  } else {
    uapi::Ifconf64 c;
    if (t.CopyInObj(arg, &c) < 0) return -EFAULT;
    len = c.len;
    buf = c.buf;
  }
  std::vector<struct ifreq> reqs(kMaxIfconfEntries);
  struct ifconf hc = {};
  size_t want = buf == 0 ? reqs.size()
                         : std::min<size_t>(len < 0 ? 0 : len / entry,
                                            reqs.size());
  hc.ifc_len = static_cast<int>(want * sizeof(struct ifreq));
  hc.ifc_req = reqs.data();
  int64_t r = 0;
  net.Run([&] {
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      r = -errno;
      return;
    }
    if (ioctl(fd, SIOCGIFCONF, &hc) < 0) r = -errno;
    close(fd);
  });
  if (r < 0) return r;
  size_t n = hc.ifc_len / sizeof(struct ifreq);
  if (buf != 0) {
    for (size_t i = 0; i < n; i++) {
      char out[uapi::kIfreqSize64] = {};
      std::memcpy(out, &reqs[i], std::min(sizeof(out), sizeof(struct ifreq)));
      if (t.CopyOut(buf + i * entry, out, entry) < 0) return -EFAULT;
    }
  }
  // With a null buffer Linux reports the length all entries need.
  int32_t out_len = static_cast<int32_t>(n * entry);
  if (t.CopyOut(arg, &out_len, sizeof(out_len)) < 0) return -EFAULT;
  return 0;
}

}  // namespace

int64_t InterfaceIoctl(Task& t, int family, uint64_t cmd, uint64_t arg) {
  Network& net = Network::Of(t);
  switch (cmd) {
    case uapi::kSIOCGIFCONF:
      return Ifconf(t, net, arg);
    case uapi::kSIOCGIFADDR:
    case uapi::kSIOCGIFDSTADDR:
    case uapi::kSIOCGIFBRDADDR:
    case uapi::kSIOCGIFNETMASK:
      if (family != AF_INET) return -ENOTTY;
      [[fallthrough]];
    case uapi::kSIOCGIFNAME:
    case uapi::kSIOCGIFFLAGS:
    case uapi::kSIOCGIFMTU:
    case uapi::kSIOCGIFHWADDR:
    case uapi::kSIOCGIFINDEX:
    case uapi::kSIOCGIFTXQLEN: {
      // Name plus the 16 bytes of the union both ABIs share.
      struct ifreq req;
      std::memset(&req, 0, sizeof(req));
      if (t.CopyIn(arg, &req, uapi::kIfreqSize32) < 0) return -EFAULT;
      req.ifr_name[IFNAMSIZ - 1] = '\0';
      int64_t r = 0;
      // An AF_INET helper for the address requests (the sentry's own, so
      // it exists under --network=none too), AF_UNIX for the rest.
      const int helper = family == AF_INET ? AF_INET : AF_UNIX;
      net.Run([&] {
        int fd = ::socket(helper, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
          r = -errno;
          return;
        }
        if (ioctl(fd, cmd, &req) < 0) r = -errno;
        close(fd);
      });
      if (r < 0) return r;
      return t.CopyOut(arg, &req, uapi::kIfreqSize32) < 0 ? -EFAULT : 0;
    }
    case 0x890B:  // SIOCADDRT
    case 0x890C:  // SIOCDELRT
    case 0x8911:  // SIOCSIFLINK
    case 0x8914:  // SIOCSIFFLAGS
    case 0x8916:  // SIOCSIFADDR
    case 0x8918:  // SIOCSIFDSTADDR
    case 0x891a:  // SIOCSIFBRDADDR
    case 0x891c:  // SIOCSIFNETMASK
    case 0x891e:  // SIOCSIFMETRIC
    case 0x8922:  // SIOCSIFMTU
    case 0x8923:  // SIOCSIFNAME
    case 0x8924:  // SIOCSIFHWADDR
    case 0x8936:  // SIOCDIFADDR
    case 0x8943:  // SIOCSIFTXQLEN
      // Changing the namespace's interfaces needs CAP_NET_ADMIN.
      return -EPERM;
    default:
      return -ENOTTY;
  }
}

}  // namespace sentry::socket
