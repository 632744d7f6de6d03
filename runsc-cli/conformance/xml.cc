#include "runsc-cli/conformance/xml.h"

#include <cstdlib>

namespace runsc::conformance {

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-' || c == '.' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void AppendUtf8(std::string* out, unsigned long cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string XmlUnescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += s[i];
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      std::string num(ent.substr(1));
      int base = 10;
      if (!num.empty() && (num[0] == 'x' || num[0] == 'X')) {
        base = 16;
        num.erase(0, 1);
      }
      char* end = nullptr;
      unsigned long cp = strtoul(num.c_str(), &end, base);
      if (num.empty() || *end != '\0') {
        out.append(s.substr(i, semi - i + 1));
      } else {
        AppendUtf8(&out, cp);
      }
    } else {
      out.append(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

bool XmlReader::Fail(const std::string& what) {
  error_ = what + " at byte " + std::to_string(pos_);
  return false;
}

bool XmlReader::SkipPast(std::string_view terminator) {
  size_t at = s_.find(terminator, pos_);
  if (at == std::string_view::npos) return Fail("unterminated markup");
  pos_ = at + terminator.size();
  return true;
}

bool XmlReader::Next(XmlTag* tag) {
  while (true) {
    size_t lt = s_.find('<', pos_);
    if (lt == std::string_view::npos) {
      pos_ = s_.size();
      return false;
    }
    pos_ = lt;
    std::string_view rest = s_.substr(pos_);
    if (rest.starts_with("<!--")) {
      if (!SkipPast("-->")) return false;
      continue;
    }
    if (rest.starts_with("<![CDATA[")) {
      if (!SkipPast("]]>")) return false;
      continue;
    }
    if (rest.starts_with("<?")) {
      if (!SkipPast("?>")) return false;
      continue;
    }
    if (rest.starts_with("<!")) {  // DOCTYPE (no internal subset support)
      if (!SkipPast(">")) return false;
      continue;
    }
    break;
  }
  pos_++;  // '<'
  *tag = XmlTag();
  if (pos_ < s_.size() && s_[pos_] == '/') {
    tag->kind = XmlTag::Kind::kEnd;
    pos_++;
  }
  size_t name_start = pos_;
  while (pos_ < s_.size() && IsNameChar(s_[pos_])) pos_++;
  if (pos_ == name_start) return Fail("expected a tag name");
  tag->name = std::string(s_.substr(name_start, pos_ - name_start));
  while (true) {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) pos_++;
    if (pos_ >= s_.size()) return Fail("unterminated tag");
    if (s_[pos_] == '>') {
      pos_++;
      return true;
    }
    if (s_.substr(pos_, 2) == "/>") {
      if (tag->kind == XmlTag::Kind::kEnd) return Fail("malformed end tag");
      tag->kind = XmlTag::Kind::kEmpty;
      pos_ += 2;
      return true;
    }
    if (tag->kind == XmlTag::Kind::kEnd) return Fail("attributes in an end tag");
    size_t attr_start = pos_;
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) pos_++;
    if (pos_ == attr_start) return Fail("expected an attribute name");
    std::string key(s_.substr(attr_start, pos_ - attr_start));
    while (pos_ < s_.size() && IsSpace(s_[pos_])) pos_++;
    if (pos_ >= s_.size() || s_[pos_] != '=') return Fail("expected = after " + key);
    pos_++;
    while (pos_ < s_.size() && IsSpace(s_[pos_])) pos_++;
    if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) {
      return Fail("expected a quoted value for " + key);
    }
    const char quote = s_[pos_++];
    size_t end = s_.find(quote, pos_);
    if (end == std::string_view::npos) return Fail("unterminated attribute value");
    tag->attrs[key] = XmlUnescape(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
  }
}

}  // namespace runsc::conformance
