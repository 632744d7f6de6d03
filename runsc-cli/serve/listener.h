// Who may talk to the daemon.
//
// Unix sockets: the daemon accepts connections itself, checks the peer's
// credentials (SO_PEERCRED: the daemon's own uid, or root) and only then
// hands the connection to gRPC; the socket file is 0600 besides.
// TCP: only with TLS (server certificate, optionally requiring client
// certificates signed by a given CA) and a bearer token checked on every
// call; plain TCP is refused at start-up.
#ifndef RUNSC_CLI_SERVE_LISTENER_H_
#define RUNSC_CLI_SERVE_LISTENER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "grpcpp/security/auth_metadata_processor.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"

namespace runsc::serve {

class UnixListener {
 public:
  // Binds `path` (0600, replacing a stale socket); -errno on failure.
  int Listen(const std::string& path);
  // Starts accepting into `server`.
  void Start(grpc::Server* server);
  void Stop();
  ~UnixListener() { Stop(); }

 private:
  void Loop();
  std::string path_;
  int fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  grpc::Server* server_ = nullptr;
  std::thread thread_;
};

struct TlsFiles {
  std::string cert, key, client_ca;  // paths; client_ca optional
};

// Server credentials for TCP: TLS from `tls`, every call must carry
// `authorization: Bearer <token>`. Null with `*err` on a bad file.
std::shared_ptr<grpc::ServerCredentials> TcpCredentials(const TlsFiles& tls,
                                                        const std::string& token,
                                                        std::string* err);

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_LISTENER_H_
