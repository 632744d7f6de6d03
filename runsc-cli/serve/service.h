// runsc.v1.Sandboxes over gRPC (synchronous server), delegating to Manager.
#ifndef RUNSC_CLI_SERVE_SERVICE_H_
#define RUNSC_CLI_SERVE_SERVICE_H_

#include "runsc-cli/serve/manager.h"
#include "runsc/v1/sandboxes.grpc.pb.h"

namespace runsc::serve {

class SandboxesService final : public runsc::v1::Sandboxes::Service {
 public:
  explicit SandboxesService(Manager* m) : m_(m) {}

  grpc::Status Create(grpc::ServerContext* ctx, const runsc::v1::CreateRequest* req,
                      runsc::v1::CreateResponse* resp) override;
  grpc::Status Start(grpc::ServerContext* ctx, const runsc::v1::StartRequest* req,
                     runsc::v1::StartResponse* resp) override;
  grpc::Status Exec(grpc::ServerContext* ctx, const runsc::v1::ExecRequest* req,
                    runsc::v1::ExecResponse* resp) override;
  grpc::Status Attach(grpc::ServerContext* ctx,
                      grpc::ServerReaderWriter<runsc::v1::AttachResponse,
                                               runsc::v1::AttachRequest>* stream) override;
  grpc::Status Wait(grpc::ServerContext* ctx, const runsc::v1::WaitRequest* req,
                    runsc::v1::WaitResponse* resp) override;
  grpc::Status Kill(grpc::ServerContext* ctx, const runsc::v1::KillRequest* req,
                    runsc::v1::KillResponse* resp) override;
  grpc::Status List(grpc::ServerContext* ctx, const runsc::v1::ListRequest* req,
                    runsc::v1::ListResponse* resp) override;
  grpc::Status Get(grpc::ServerContext* ctx, const runsc::v1::GetRequest* req,
                   runsc::v1::GetResponse* resp) override;
  grpc::Status Processes(grpc::ServerContext* ctx,
                         const runsc::v1::ProcessesRequest* req,
                         runsc::v1::ProcessesResponse* resp) override;
  grpc::Status Events(grpc::ServerContext* ctx, const runsc::v1::EventsRequest* req,
                      grpc::ServerWriter<runsc::v1::Event>* writer) override;
  grpc::Status Delete(grpc::ServerContext* ctx, const runsc::v1::DeleteRequest* req,
                      runsc::v1::DeleteResponse* resp) override;

 private:
  Manager* const m_;
};

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_SERVICE_H_
