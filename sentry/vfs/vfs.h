// VirtualFilesystem: the sandbox's mount tree and path walk.
#ifndef SENTRY_VFS_VFS_H_
#define SENTRY_VFS_VFS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sentry/vfs/file_description.h"

namespace sentry::vfs {

class FsContext;

class VirtualFilesystem {
 public:
  // Opens `path` (relative to fs's cwd, within fs's root) for execution:
  // follows symlinks; ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG as path walk gives
  // them; EACCES if the final file is not a regular file or has no execute
  // bit. `*resolved` is set to the absolute sandbox path of the file.
  int64_t OpenForExec(const FsContext& fs, const std::string& path,
                      std::shared_ptr<FileDescription>* out,
                      std::string* resolved);
};

}  // namespace sentry::vfs

#endif  // SENTRY_VFS_VFS_H_
