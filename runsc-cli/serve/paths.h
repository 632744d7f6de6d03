// Where the daemon listens and keeps its state by default.
#ifndef RUNSC_CLI_SERVE_PATHS_H_
#define RUNSC_CLI_SERVE_PATHS_H_

#include <string>

namespace runsc::serve {

// root: /run/runsc-cpp/runsc.sock; others: $XDG_RUNTIME_DIR/runsc-cpp/
// runsc.sock (or /tmp/runsc-cpp-UID/runsc.sock without XDG_RUNTIME_DIR).
// $RUNSC_SOCKET overrides both.
std::string DefaultSocketPath();

// root: /var/lib/runsc-cpp; others: $XDG_STATE_HOME/runsc-cpp (default
// ~/.local/state/runsc-cpp).
std::string DefaultStateDir();

// mkdir -p with `mode` for the directories it creates.
bool MakeDirs(const std::string& path, int mode, std::string* err);

// rm -r (no symlinks followed).
void RemoveTree(const std::string& path);

}  // namespace runsc::serve

#endif  // RUNSC_CLI_SERVE_PATHS_H_
