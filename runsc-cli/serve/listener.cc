#include "runsc-cli/serve/listener.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "grpcpp/server_posix.h"
#include "runsc-cli/serve/wire.h"

namespace runsc::serve {

int UnixListener::Listen(const std::string& path) {
  path_ = path;
  fd_ = ListenUnix(path, 128);
  if (fd_ < 0) return fd_;
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) return -errno;
  return 0;
}

void UnixListener::Start(grpc::Server* server) {
  server_ = server;
  thread_ = std::thread([this] { Loop(); });
}

void UnixListener::Loop() {
  for (;;) {
    pollfd p[2] = {{fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents) return;
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0) continue;
    std::string who;
    if (!PeerAllowed(c, &who)) {
      fprintf(stderr, "runsc serve: refused a connection on %s from %s\n",
              path_.c_str(), who.c_str());
      close(c);
      continue;
    }
    // gRPC takes the fd over (and closes it).
    grpc::AddInsecureChannelFromFd(server_, c);
  }
}

void UnixListener::Stop() {
  if (stop_pipe_[1] >= 0) {
    const char b = 0;
    ssize_t unused = write(stop_pipe_[1], &b, 1);
    (void)unused;
  }
  if (thread_.joinable()) thread_.join();
  for (int* fd : {&fd_, &stop_pipe_[0], &stop_pipe_[1]}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

namespace {

class TokenChecker : public grpc::AuthMetadataProcessor {
 public:
  explicit TokenChecker(std::string token) : want_("Bearer " + std::move(token)) {}
  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata& md, grpc::AuthContext*,
                       OutputMetadata* consumed, OutputMetadata*) override {
    auto it = md.find("authorization");
    if (it == md.end()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "authorization: a bearer token is required");
    }
    const std::string got(it->second.data(), it->second.size());
    // Constant-time comparison: the token is a secret.
    unsigned char diff = got.size() != want_.size();
    for (size_t i = 0; i < want_.size(); i++) {
      diff |= static_cast<unsigned char>(want_[i] ^ (i < got.size() ? got[i] : 0));
    }
    if (diff != 0) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "authorization: wrong bearer token");
    }
    consumed->insert(std::make_pair(std::string(it->first.data(), it->first.size()),
                                    got));
    return grpc::Status::OK;
  }

 private:
  const std::string want_;
};

}  // namespace

std::shared_ptr<grpc::ServerCredentials> TcpCredentials(const TlsFiles& tls,
                                                        const std::string& token,
                                                        std::string* err) {
  std::string cert, key, ca;
  if (!ReadFile(tls.cert, &cert)) {
    *err = "--tls-cert " + tls.cert + ": " + strerror(errno);
    return nullptr;
  }
  if (!ReadFile(tls.key, &key)) {
    *err = "--tls-key " + tls.key + ": " + strerror(errno);
    return nullptr;
  }
  grpc::SslServerCredentialsOptions opts(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!tls.client_ca.empty()) {
    if (!ReadFile(tls.client_ca, &ca)) {
      *err = "--tls-client-ca " + tls.client_ca + ": " + strerror(errno);
      return nullptr;
    }
    opts.pem_root_certs = ca;
    opts.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  opts.pem_key_cert_pairs.push_back({key, cert});
  auto creds = grpc::SslServerCredentials(opts);
  creds->SetAuthMetadataProcessor(std::make_shared<TokenChecker>(token));
  return creds;
}

}  // namespace runsc::serve
