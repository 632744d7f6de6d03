// Socket: the file description of a socket, whatever its family. The socket
// syscalls (sys_socket.cc) find the Socket behind an fd and call these
// operations; each family implements them (unix/ in the sentry, inet/ over
// host sockets the sentry owns, netlink/ emulated).
//
// Contract shared by every family:
// - Addresses are raw sockaddr bytes as the application passed them (already
//   copied in, length checked against sizeof(sockaddr_storage)); the family
//   parses and validates them. Addresses going out are raw bytes too; the
//   syscall layer truncates them to the caller's buffer and reports the full
//   length, as Linux's move_addr_to_user().
// - Data buffers are sentry memory. A stream send may be called several
//   times for one syscall (the syscall layer moves at most kSocketChunk bytes
//   per call and continues while whole chunks go through); a datagram send is
//   always one call with the whole message.
// - Blocking operations block only the calling task, on the task's own
//   waiter (vfs/waiter.h), honour MSG_DONTWAIT and O_NONBLOCK, and return
//   -ERESTARTSYS when a signal interrupts them; the syscall layer turns that
//   into Linux's restart code and SO_RCVTIMEO/SNDTIMEO expiry into -EAGAIN.
// - Control messages are parsed by the syscall layer into ControlMessages
//   (SCM_RIGHTS files resolved from the sender's fd table, SCM_CREDENTIALS
//   checked against the sender's credentials); a family that does not carry
//   them ignores or rejects them as Linux does.
#ifndef SENTRY_SOCKET_SOCKET_H_
#define SENTRY_SOCKET_SOCKET_H_

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentry/vfs/file_description.h"

namespace sentry {
class Task;
}

namespace sentry::socket {

// Most bytes one SendMsg/RecvMsg call moves for a stream socket.
inline constexpr uint64_t kSocketChunk = 1 << 20;

// struct ucred, as SCM_CREDENTIALS and SO_PEERCRED carry it.
struct Credentials {
  int32_t pid = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// Ancillary data in sentry form.
struct ControlMessages {
  // SCM_RIGHTS: the open file descriptions passed (the receiver installs
  // them in its fd table).
  std::vector<std::shared_ptr<vfs::FileDescription>> rights;
  // SCM_CREDENTIALS.
  std::optional<Credentials> credentials;
  // Families backed by host sockets (inet): every cmsg but SCM_RIGHTS
  // (EINVAL for them, as Linux's __sock_cmsg_send), SOL_SOCKET ones
  // included, as raw bytes of the x86-64 layout (cmsghdr + data, each
  // CMSG_ALIGNed), after the syscall layer checked their framing; the
  // family validates them. On receive the family fills `raw` the same way
  // and the syscall layer re-lays the messages out for the caller (i386
  // compat cmsghdrs), truncating with MSG_CTRUNC. AF_UNIX never uses it.
  std::string raw;
};

struct SendRequest {
  const void* data = nullptr;
  uint64_t len = 0;
  std::string address;          // empty: none (send/write)
  ControlMessages control;
  int flags = 0;                // MSG_*
  // True for every call after the first of one stream send (no address or
  // control data is passed again).
  bool continuation = false;
};

struct RecvResult {
  uint64_t len = 0;             // bytes stored in the caller's buffer
  uint64_t full_len = 0;        // datagram's real length (MSG_TRUNC)
  std::string address;          // sender's address, when known
  ControlMessages control;
  int msg_flags = 0;            // MSG_TRUNC, MSG_CTRUNC, MSG_EOR... for msg_flags
  // A stream receive with MSG_TRUNC: `len` bytes were taken (or peeked)
  // and dropped, nothing was stored in the buffer (tcp_recvmsg).
  bool discarded = false;
};

class Socket : public vfs::FileDescription {
 public:
  // A fresh sockfs inode number; the current time in ns (for Stat).
  static uint64_t NextInode();
  static int64_t NowNs();

  Socket(int family, int type, int protocol, int status_flags)
      : vfs::FileDescription(status_flags),
        family_(family),
        type_(type),
        protocol_(protocol),
        ino_(NextInode()),
        ctime_ns_(NowNs()) {}

  int family() const { return family_; }
  int type() const { return type_; }  // SOCK_STREAM, SOCK_DGRAM, ...
  int protocol() const { return protocol_; }
  // The sockfs inode number ("socket:[ino]" in /proc/PID/fd, st_ino).
  uint64_t ino() const { return ino_; }
  // The creator's fsuid (the uid column of /proc/net/*).
  uint32_t owner_uid() const { return uid_; }

  virtual int64_t Bind(Task& t, const std::string& address) = 0;
  virtual int64_t Listen(Task& t, int backlog) = 0;
  // accept4(2): the new connection's socket, with `flags` (SOCK_NONBLOCK)
  // applied; the peer's address in `peer`.
  virtual int64_t Accept(Task& t, int flags, std::shared_ptr<Socket>* out,
                         std::string* peer) = 0;
  virtual int64_t Connect(Task& t, const std::string& address) = 0;
  // socketpair(2): connects this new socket with `other`, a new socket of
  // the same family and type. Families without socketpair keep the
  // default, -EOPNOTSUPP (Linux's sock_no_socketpair).
  virtual int64_t ConnectPair(Task& t, Socket& other) { return -EOPNOTSUPP; }
  virtual int64_t Shutdown(Task& t, int how) = 0;
  virtual int64_t GetSockName(std::string* address) = 0;
  virtual int64_t GetPeerName(std::string* address) = 0;
  // getsockopt(2): `value` arrives sized to the caller's optlen (capped) and
  // leaves holding the value's bytes (the syscall layer copies out at most
  // the caller's length and reports the new length).
  virtual int64_t GetSockOpt(Task& t, int level, int name,
                             std::string* value) = 0;
  virtual int64_t SetSockOpt(Task& t, int level, int name,
                             const std::string& value) = 0;
  // sendmsg(2) for one chunk: bytes accepted or a negative errno.
  virtual int64_t SendMsg(Task& t, SendRequest& req) = 0;
  // recvmsg(2) into `buf` of `len` bytes with MSG_* `flags`.
  virtual int64_t RecvMsg(Task& t, void* buf, uint64_t len, int flags,
                          RecvResult* out) = 0;

  // read(2)/write(2) on a socket are recv/send without flags or address.
  int64_t Read(Task& t, void* buf, uint64_t n) override;
  int64_t Write(Task& t, const void* buf, uint64_t n) override;
  int64_t PRead(void* buf, uint64_t n, int64_t off) override { return -ESPIPE; }
  int64_t PWrite(const void* buf, uint64_t n, int64_t off) override {
    return -ESPIPE;
  }
  int64_t Seek(int64_t off, int whence) override { return -ESPIPE; }
  // A sockfs inode: S_IFSOCK | 0777, owned by the creator.
  int64_t Stat(uapi::Stat* st) override;
  // "socket:[ino]".
  std::string Path() const override;
  int64_t Fsync(bool datasync) override { return -EINVAL; }

 protected:
  // The creator's ids, as sockfs inodes show them (set by the family
  // constructor; 0 otherwise).
  void SetOwner(uint32_t uid, uint32_t gid) {
    uid_ = uid;
    gid_ = gid;
  }

 private:
  const int family_;
  const int type_;
  const int protocol_;
  const uint64_t ino_;
  const int64_t ctime_ns_;
  uint32_t uid_ = 0;
  uint32_t gid_ = 0;
};

// Family constructors, one per family folder (unix/, inet/, netlink/):
// a new unconnected socket, or -EAFNOSUPPORT/-EPROTONOSUPPORT/
// -ESOCKTNOSUPPORT/-EINVAL as Linux's socket(2). `type` is without the
// SOCK_NONBLOCK/SOCK_CLOEXEC bits; `status_flags` is O_RDWR plus
// O_NONBLOCK when asked.
int64_t NewUnixSocket(Task& t, int type, int protocol, int status_flags,
                      std::shared_ptr<Socket>* out);
int64_t NewInetSocket(Task& t, int family, int type, int protocol,
                      int status_flags, std::shared_ptr<Socket>* out);
int64_t NewNetlinkSocket(Task& t, int type, int protocol, int status_flags,
                         std::shared_ptr<Socket>* out);

}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_SOCKET_H_
