// How a client verb reaches the daemon: --server (unix:PATH, a path, or
// tcp:HOST:PORT; default $RUNSC_SERVER, else the daemon's default socket),
// and for tcp: --tls-ca, --tls-cert/--tls-key (client certificate),
// --tls-server-name and --token-file (sent as a bearer token).
#ifndef RUNSC_CLI_CLIENT_CONNECTION_H_
#define RUNSC_CLI_CLIENT_CONNECTION_H_

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "runsc-cli/client/flags.h"
#include "runsc/v1/sandboxes.grpc.pb.h"

namespace runsc::client {

struct ConnectionOptions {
  std::string server;
  std::string token_file;
  std::string tls_ca, tls_cert, tls_key, tls_server_name;
};

// The connection flags, to add to a verb's own.
void AddConnectionFlags(ConnectionOptions* o, std::vector<Flag>* flags);
extern const char kConnectionFlagsHelp[];

class Connection {
 public:
  // Null with *err set when the options are unusable (files missing).
  static std::unique_ptr<Connection> Open(const ConnectionOptions& o, std::string* err);

  runsc::v1::Sandboxes::Stub& stub() { return *stub_; }
  // Adds the token, if any, to a call.
  void Prepare(grpc::ClientContext* ctx) const;
  const std::string& target() const { return target_; }

 private:
  std::string target_;
  std::string token_;
  std::unique_ptr<runsc::v1::Sandboxes::Stub> stub_;
};

// "runsc VERB: NOT_FOUND: no sandbox \"x\"" on stderr.
void PrintError(const char* verb, const grpc::Status& st);
std::string CodeName(grpc::StatusCode code);

}  // namespace runsc::client

#endif  // RUNSC_CLI_CLIENT_CONNECTION_H_
