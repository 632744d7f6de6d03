// A small flag parser for the client verbs: --name VALUE, --name=VALUE,
// boolean --name; stops at "--" or at the first positional argument when
// asked to (so a command's own flags are left alone).
#ifndef RUNSC_CLI_CLIENT_FLAGS_H_
#define RUNSC_CLI_CLIENT_FLAGS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace runsc::client {

struct Flag {
  std::string name;  // "--env"
  bool takes_value;
  // Returns false with *err set to reject the value.
  std::function<bool(const std::string& value, std::string* err)> set;
};

// Parses `args`; positional arguments go to *positional. With
// `stop_at_positional`, everything from the first positional on (or after
// "--") is positional. --help/-h sets *help.
bool ParseFlags(const std::vector<std::string>& args, const std::vector<Flag>& flags,
                bool stop_at_positional, std::vector<std::string>* positional,
                bool* help, std::string* err);

// Helpers for Flag::set.
std::function<bool(const std::string&, std::string*)> SetString(std::string* out);
std::function<bool(const std::string&, std::string*)> AppendString(
    std::vector<std::string>* out);
std::function<bool(const std::string&, std::string*)> SetTrue(bool* out);
std::function<bool(const std::string&, std::string*)> SetUint(uint64_t* out);
std::function<bool(const std::string&, std::string*)> SetInt(int* out);

}  // namespace runsc::client

#endif  // RUNSC_CLI_CLIENT_FLAGS_H_
