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

std::string CompatReceivedControl(const std::string& in) {
  std::string out;
  size_t off = 0;
  while (off + sizeof(struct cmsghdr) <= in.size()) {
    struct cmsghdr h;
    std::memcpy(&h, in.data() + off, sizeof(h));
    if (h.cmsg_len < sizeof(h) || h.cmsg_len > in.size() - off) break;
    const char* data = in.data() + off + sizeof(h);
    size_t dlen = h.cmsg_len - sizeof(h);
    int32_t pair[2];
    bool convert = h.cmsg_level == SOL_SOCKET &&
                   (h.cmsg_type == SO_TIMESTAMP || h.cmsg_type == SO_TIMESTAMPNS) &&
                   dlen == 2 * sizeof(int64_t);
    if (convert) {
      int64_t v[2];
      std::memcpy(v, data, sizeof(v));
      pair[0] = static_cast<int32_t>(v[0]);
      pair[1] = static_cast<int32_t>(v[1]);
      data = reinterpret_cast<const char*>(pair);
      dlen = sizeof(pair);
    }
    struct cmsghdr nh = h;
    nh.cmsg_len = sizeof(nh) + dlen;
    out.append(reinterpret_cast<const char*>(&nh), sizeof(nh));
    out.append(data, dlen);
    out.resize(CMSG_ALIGN(out.size()), '\0');
    off += CMSG_ALIGN(h.cmsg_len);
  }
  return out;
}

}  // namespace sentry::socket
