// /proc/net/{tcp,tcp6,udp,udp6,dev,if_inet6,route} of the sandbox: the
// host's own tables, read by a thread inside the sandbox's network
// namespace (/proc/thread-self/net: the namespace is per thread there), so
// they list exactly the sockets, interfaces and routes the sandbox has,
// in Linux's format. The socket tables name host objects, which are
// translated: each line's inode becomes the sandbox's sockfs inode of the
// socket (so /proc/PID/fd's "socket:[N]" matches, as ss -p and netstat -p
// rely on) and its uid the socket's creator; sockets no sandbox socket
// owns (the -p publisher's side, time-wait entries) show inode 0 and uid
// 0; the kernel address column (%pK) is zeros, as Linux shows it to
// readers without CAP_SYSLOG under kptr_restrict, so no host address
// leaks.
#ifndef SENTRY_SOCKET_INET_PROC_NET_H_
#define SENTRY_SOCKET_INET_PROC_NET_H_

#include <cstdint>
#include <string>

namespace sentry::socket {

class Network;
class InetSocket;

// The InetSocket constructor/destructor keep the host-inode index.
void RegisterHostInode(uint64_t host_ino, InetSocket* s);
void UnregisterHostInode(uint64_t host_ino);

// True for the names above (the files /proc/net has for the network).
bool IsNetTable(const std::string& name);

// The text of /proc/net/NAME for `net`; -errno when it cannot be read.
int64_t NetTableText(Network& net, const std::string& name, std::string* out);

}  // namespace sentry::socket

#endif  // SENTRY_SOCKET_INET_PROC_NET_H_
