#include "sentry/fs/anon/anon_file.h"

#include <cstring>

namespace sentry::fs {

int64_t AnonFile::Stat(uapi::Stat* st) {
  std::memset(st, 0, sizeof(*st));
  // anon_inodefs's single inode: device 0:15 here, mode 0600, no type.
  st->st_dev = 0x0f;
  st->st_ino = 1;
  st->st_nlink = 1;
  st->st_mode = 0600;
  st->st_blksize = 4096;
  return 0;
}

}  // namespace sentry::fs
