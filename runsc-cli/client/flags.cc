#include "runsc-cli/client/flags.h"

#include "absl/strings/numbers.h"

namespace runsc::client {

bool ParseFlags(const std::vector<std::string>& args, const std::vector<Flag>& flags,
                bool stop_at_positional, std::vector<std::string>* positional,
                bool* help, std::string* err) {
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a == "--") {
      positional->insert(positional->end(), args.begin() + i + 1, args.end());
      return true;
    }
    if (a.size() < 2 || a[0] != '-') {
      if (stop_at_positional) {
        positional->insert(positional->end(), args.begin() + i, args.end());
        return true;
      }
      positional->push_back(a);
      continue;
    }
    if (a == "--help" || a == "-h") {
      *help = true;
      return true;
    }
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    const Flag* f = nullptr;
    for (const Flag& c : flags) {
      if (c.name == name) f = &c;
    }
    if (!f) {
      *err = "unknown flag \"" + a + "\"";
      return false;
    }
    if (f->takes_value && !has_value) {
      if (i + 1 >= args.size()) {
        *err = name + " needs a value";
        return false;
      }
      value = args[++i];
    } else if (!f->takes_value && has_value) {
      *err = name + " takes no value";
      return false;
    }
    std::string why;
    if (!f->set(value, &why)) {
      *err = name + ": " + why;
      return false;
    }
  }
  return true;
}

std::function<bool(const std::string&, std::string*)> SetString(std::string* out) {
  return [out](const std::string& v, std::string*) {
    *out = v;
    return true;
  };
}

std::function<bool(const std::string&, std::string*)> AppendString(
    std::vector<std::string>* out) {
  return [out](const std::string& v, std::string*) {
    out->push_back(v);
    return true;
  };
}

std::function<bool(const std::string&, std::string*)> SetTrue(bool* out) {
  return [out](const std::string&, std::string*) {
    *out = true;
    return true;
  };
}

std::function<bool(const std::string&, std::string*)> SetUint(uint64_t* out) {
  return [out](const std::string& v, std::string* err) {
    if (absl::SimpleAtoi(v, out)) return true;
    *err = "want a number, got \"" + v + "\"";
    return false;
  };
}

std::function<bool(const std::string&, std::string*)> SetInt(int* out) {
  return [out](const std::string& v, std::string* err) {
    if (absl::SimpleAtoi(v, out)) return true;
    *err = "want a number, got \"" + v + "\"";
    return false;
  };
}

}  // namespace runsc::client
