// Text helpers shared by the conformance runner's reports: UTF-8 repair,
// JSON and XML escaping, and the few string utilities the parsers need.
#ifndef RUNSC_CLI_CONFORMANCE_TEXT_H_
#define RUNSC_CLI_CONFORMANCE_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace runsc::conformance {

// Returns `s` with every byte sequence that is not valid UTF-8 replaced by
// U+FFFD, so that reports stay readable whatever a test printed.
std::string SanitizeUtf8(std::string_view s);

// Escapes for a JSON string body (no surrounding quotes). The input is
// sanitized first; control characters become \uXXXX.
std::string JsonEscape(std::string_view s);

// Escapes for XML 1.0 text and attribute values. Characters XML 1.0 cannot
// carry at all (controls other than tab, newline, carriage return) are
// written as a visible "\xNN".
std::string XmlEscape(std::string_view s);

std::vector<std::string_view> SplitLines(std::string_view s);
std::string_view Trim(std::string_view s);

// At most `max` bytes of `s`, cut at a character boundary, "..." appended
// when something was cut.
std::string Truncate(std::string_view s, size_t max);

// The last `n` lines of `s`.
std::string_view LastLines(std::string_view s, size_t n);

}  // namespace runsc::conformance

#endif  // RUNSC_CLI_CONFORMANCE_TEXT_H_
