// A small JSON reader, enough to load the runner's own result files
// (--save) back as a --baseline.
#ifndef RUNSC_CLI_CONFORMANCE_JSON_H_
#define RUNSC_CLI_CONFORMANCE_JSON_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace runsc::conformance {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::map<std::string, JsonValue> object;

  // Member `key` of an object, or nullptr (also when this is no object).
  const JsonValue* Find(const std::string& key) const;
  // String member `key`, or `fallback` when absent or not a string.
  std::string StringOr(const std::string& key, const std::string& fallback) const;
};

// Parses a whole document; on error returns false and sets *error to a
// message with the byte offset.
bool ParseJson(std::string_view text, JsonValue* out, std::string* error);

}  // namespace runsc::conformance

#endif  // RUNSC_CLI_CONFORMANCE_JSON_H_
