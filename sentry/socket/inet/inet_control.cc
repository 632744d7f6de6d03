#include "sentry/socket/inet/inet_control.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace sentry::socket {

int64_t FilterSendControl(const std::string& in, std::string* out) {
  out->clear();
  size_t off = 0;
  while (off + sizeof(struct cmsghdr) <= in.size()) {
    struct cmsghdr h;
    std::memcpy(&h, in.data() + off, sizeof(h));
    if (h.cmsg_len < sizeof(struct cmsghdr) || h.cmsg_len > in.size() - off) {
      return -EINVAL;
    }
    size_t space = CMSG_ALIGN(h.cmsg_len);
    bool keep = false;
    switch (h.cmsg_level) {
      case IPPROTO_IP:
      case IPPROTO_IPV6:
      case IPPROTO_UDP:
        keep = true;
        break;
      case SOL_SOCKET:
        if (h.cmsg_type != SCM_RIGHTS && h.cmsg_type != SCM_CREDENTIALS) {
          return -EINVAL;
        }
        break;
      default:
        break;
    }
    if (keep) {
      out->append(in.data() + off, h.cmsg_len);
      out->append(CMSG_ALIGN(h.cmsg_len) - h.cmsg_len, '\0');
    }
    off += space;
  }
  // A trailing partial message's data is ignored, as CMSG_NXTHDR does.
  return 0;
}

}  // namespace sentry::socket
