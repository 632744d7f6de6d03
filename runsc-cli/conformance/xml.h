// A small XML pull reader, enough to read JUnit files (ours or another
// tool's) back as a --baseline. It reports start and end tags with decoded
// attributes; text, comments, CDATA, processing instructions and DOCTYPE are
// skipped.
#ifndef RUNSC_CLI_CONFORMANCE_XML_H_
#define RUNSC_CLI_CONFORMANCE_XML_H_

#include <map>
#include <string>
#include <string_view>

namespace runsc::conformance {

struct XmlTag {
  enum class Kind { kStart, kEnd, kEmpty };  // <a>, </a>, <a/>
  Kind kind = Kind::kStart;
  std::string name;
  std::map<std::string, std::string> attrs;

  std::string Attr(const std::string& key) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? "" : it->second;
  }
};

class XmlReader {
 public:
  explicit XmlReader(std::string_view text) : s_(text) {}
  // Next tag; false at the end of input or on a syntax error (then error()
  // is non-empty).
  bool Next(XmlTag* tag);
  const std::string& error() const { return error_; }

 private:
  bool Fail(const std::string& what);
  bool SkipPast(std::string_view terminator);

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

// Decodes &amp; &lt; &gt; &quot; &apos; &#N; &#xN; (unknown entities are
// kept as written).
std::string XmlUnescape(std::string_view s);

}  // namespace runsc::conformance

#endif  // RUNSC_CLI_CONFORMANCE_XML_H_
