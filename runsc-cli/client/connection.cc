#include "runsc-cli/client/connection.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/ascii.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "runsc-cli/serve/paths.h"
#include "runsc-cli/serve/wire.h"

namespace runsc::client {

const char kConnectionFlagsHelp[] =
    "connection flags:\n"
    "  --server ADDR        unix:PATH, PATH or tcp:HOST:PORT (default\n"
    "                       $RUNSC_SERVER, else the daemon's default socket)\n"
    "  --token-file FILE    bearer token (tcp)\n"
    "  --tls-ca FILE        CA certificate that signed the server's (tcp)\n"
    "  --tls-cert FILE --tls-key FILE   client certificate (tcp)\n"
    "  --tls-server-name N  name to expect in the server's certificate\n";

void AddConnectionFlags(ConnectionOptions* o, std::vector<Flag>* flags) {
  flags->push_back({"--server", true, SetString(&o->server)});
  flags->push_back({"--token-file", true, SetString(&o->token_file)});
  flags->push_back({"--tls-ca", true, SetString(&o->tls_ca)});
  flags->push_back({"--tls-cert", true, SetString(&o->tls_cert)});
  flags->push_back({"--tls-key", true, SetString(&o->tls_key)});
  flags->push_back({"--tls-server-name", true, SetString(&o->tls_server_name)});
}

std::unique_ptr<Connection> Connection::Open(const ConnectionOptions& o,
                                             std::string* err) {
  std::string server = o.server;
  if (server.empty()) {
    const char* env = getenv("RUNSC_SERVER");
    server = env && *env ? env : "unix:" + serve::DefaultSocketPath();
  }
  std::unique_ptr<Connection> c(new Connection());
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 << 20);
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (server.rfind("unix:", 0) == 0 || server[0] == '/') {
    const std::string path = server[0] == '/' ? server : server.substr(5);
    c->target_ = "unix:" + path;
    creds = grpc::InsecureChannelCredentials();
  } else if (server.rfind("tcp:", 0) == 0) {
    c->target_ = server.substr(4);
    grpc::SslCredentialsOptions ssl;
    auto read = [&](const std::string& path, const char* flag, std::string* out) {
      if (path.empty()) return true;
      if (serve::ReadFile(path, out)) return true;
      *err = std::string(flag) + " " + path + ": " + strerror(errno);
      return false;
    };
    if (!read(o.tls_ca, "--tls-ca", &ssl.pem_root_certs) ||
        !read(o.tls_cert, "--tls-cert", &ssl.pem_cert_chain) ||
        !read(o.tls_key, "--tls-key", &ssl.pem_private_key)) {
      return nullptr;
    }
    if (!o.token_file.empty()) {
      if (!read(o.token_file, "--token-file", &c->token_)) return nullptr;
      c->token_ = std::string(absl::StripAsciiWhitespace(c->token_));
    }
    if (!o.tls_server_name.empty()) args.SetSslTargetNameOverride(o.tls_server_name);
    creds = grpc::SslCredentials(ssl);
  } else {
    *err = "--server " + server + ": want unix:PATH, PATH or tcp:HOST:PORT";
    return nullptr;
  }
  c->stub_ = runsc::v1::Sandboxes::NewStub(
      grpc::CreateCustomChannel(c->target_, creds, args));
  return c;
}

void Connection::Prepare(grpc::ClientContext* ctx) const {
  if (!token_.empty()) ctx->AddMetadata("authorization", "Bearer " + token_);
}

std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "code " + std::to_string(static_cast<int>(code));
  }
}

void PrintError(const char* verb, const grpc::Status& st) {
  fprintf(stderr, "runsc %s: %s: %s\n", verb, CodeName(st.error_code()).c_str(),
          st.error_message().c_str());
}

}  // namespace runsc::client
