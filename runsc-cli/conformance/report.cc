#include "runsc-cli/conformance/report.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "runsc-cli/conformance/json.h"
#include "runsc-cli/conformance/text.h"
#include "runsc-cli/conformance/xml.h"

namespace runsc::conformance {

namespace {

std::string Upper(const char* s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Fixed3(double v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.3f", v);
  return buf;
}

// Lines of output shown for a failure in JUnit.
constexpr size_t kJunitOutputLines = 300;

}  // namespace

Totals Count(const std::vector<CaseResult>& results) {
  Totals t;
  for (const CaseResult& r : results) {
    t.by_status[r.status]++;
    if (r.status == Status::kPass) t.passed++;
    if (IsFailure(r.status)) t.failed++;
  }
  return t;
}

size_t PrintProblems(FILE* out, const RunReport& report, size_t output_lines) {
  size_t listed = 0;
  size_t wbin = 0, wcase = 0;
  for (const CaseResult& r : report.results) {
    wbin = std::max(wbin, r.binary.size());
    wcase = std::max(wcase, r.name.size());
  }
  wbin = std::min<size_t>(wbin, 32);
  wcase = std::min<size_t>(wcase, 56);
  std::set<std::pair<std::string, std::string>> native_shown;
  for (const CaseResult& r : report.results) {
    if (!IsFailure(r.status) && r.status != Status::kNativeFail) continue;
    std::string where = "[" + r.platform + "]";
    if (r.status == Status::kNativeFail) {
      if (!native_shown.insert({r.binary, r.name}).second) continue;
      where = "[native]";
    }
    listed++;
    fprintf(out, "%-14s %-*s %-*s %-9s %s\n", Upper(StatusName(r.status)).c_str(),
            static_cast<int>(wbin), r.binary.c_str(), static_cast<int>(wcase), r.name.c_str(),
            where.c_str(), r.detail.c_str());
    if (output_lines > 0 && !r.output.empty()) {
      for (std::string_view line : SplitLines(LastLines(r.output, output_lines))) {
        fprintf(out, "    | %.*s\n", static_cast<int>(line.size()), line.data());
      }
    }
  }
  return listed;
}

void PrintSummaryTable(FILE* out, const RunReport& report) {
  static constexpr Status kColumns[] = {Status::kPass,          Status::kFail,
                                        Status::kTimeout,       Status::kCrash,
                                        Status::kUnimplemented, Status::kNativeFail,
                                        Status::kSkipped};
  size_t wbin = 6;
  for (const Binary& b : report.binaries) wbin = std::max(wbin, b.name.size());
  size_t wplat = 8;
  for (const Platform& p : report.platforms) wplat = std::max(wplat, p.name.size());

  fprintf(out, "%-*s  %-*s  %5s", static_cast<int>(wbin), "BINARY", static_cast<int>(wplat),
          "PLATFORM", "CASES");
  for (Status s : kColumns) {
    const char* head = s == Status::kUnimplemented ? "UNIMPL" : StatusName(s);
    fprintf(out, "  %s", Upper(head).c_str());
  }
  fputc('\n', out);

  auto row = [&](const std::string& binary, const Platform& p,
                 const std::vector<const CaseResult*>& rs) {
    fprintf(out, "%-*s  %-*s  %5zu", static_cast<int>(wbin), binary.c_str(),
            static_cast<int>(wplat), p.name.c_str(), rs.size());
    if (!p.available) {
      fprintf(out, "  (platform unavailable)\n");
      return;
    }
    std::map<Status, size_t> n;
    for (const CaseResult* r : rs) n[r->status]++;
    for (Status s : kColumns) {
      const char* head = s == Status::kUnimplemented ? "UNIMPL" : StatusName(s);
      fprintf(out, "  %*zu", static_cast<int>(strlen(head)), n[s]);
    }
    fputc('\n', out);
  };

  std::map<std::pair<std::string, std::string>, std::vector<const CaseResult*>> by;
  for (const CaseResult& r : report.results) by[{r.binary, r.platform}].push_back(&r);
  for (const Binary& b : report.binaries) {
    for (const Platform& p : report.platforms) row(b.name, p, by[{b.name, p.name}]);
  }
  if (report.binaries.size() > 1) {
    for (const Platform& p : report.platforms) {
      std::vector<const CaseResult*> all;
      for (const CaseResult& r : report.results) {
        if (r.platform == p.name) all.push_back(&r);
      }
      row("TOTAL", p, all);
    }
  }
  for (const Platform& p : report.platforms) {
    if (!p.available) fprintf(out, "platform %s is unavailable: %s\n", p.name.c_str(), p.reason.c_str());
  }
  // Which missing syscalls cost the most cases.
  std::map<std::string, size_t> cost;
  for (const CaseResult& r : report.results) {
    if (r.status != Status::kUnimplemented) continue;
    for (const auto& [name, n] : r.unimplemented) cost[name]++;
  }
  if (!cost.empty()) {
    std::vector<std::pair<std::string, size_t>> sorted(cost.begin(), cost.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string line;
    for (const auto& [name, n] : sorted) {
      if (!line.empty()) line += ", ";
      line += name + " (" + std::to_string(n) + (n == 1 ? " case)" : " cases)");
    }
    fprintf(out, "unimplemented syscalls behind failures: %s\n", line.c_str());
  }
}

std::string FinalLine(const Totals& t) {
  std::string line = std::to_string(t.passed) + " passed, " + std::to_string(t.failed) + " failed";
  std::string excluded;
  for (Status s : {Status::kNativeFail, Status::kSkipped, Status::kUnavailable}) {
    auto it = t.by_status.find(s);
    if (it == t.by_status.end() || it->second == 0) continue;
    if (!excluded.empty()) excluded += ", ";
    excluded += std::to_string(it->second) + " " + StatusName(s);
  }
  if (!excluded.empty()) line += " (not counted: " + excluded + ")";
  return line;
}

std::string JunitXml(const RunReport& report) {
  std::map<std::pair<std::string, std::string>, std::vector<const CaseResult*>> by;
  for (const CaseResult& r : report.results) by[{r.binary, r.platform}].push_back(&r);

  auto tally = [](const std::vector<const CaseResult*>& rs, size_t* failures, size_t* errors,
                  size_t* skipped, double* time) {
    for (const CaseResult* r : rs) {
      if (r->status == Status::kFail || r->status == Status::kUnimplemented) (*failures)++;
      if (r->status == Status::kTimeout || r->status == Status::kCrash) (*errors)++;
      if (IsExcluded(r->status)) (*skipped)++;
      *time += r->seconds;
    }
  };
  size_t failures = 0, errors = 0, skipped = 0;
  double time = 0;
  tally([&] {
    std::vector<const CaseResult*> all;
    for (const CaseResult& r : report.results) all.push_back(&r);
    return all;
  }(), &failures, &errors, &skipped, &time);

  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x << "<testsuites name=\"runsc conformance\" tests=\"" << report.results.size()
    << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped
    << "\" time=\"" << Fixed3(time) << "\">\n";
  for (const Binary& b : report.binaries) {
    for (const Platform& p : report.platforms) {
      const auto& rs = by[{b.name, p.name}];
      size_t f = 0, e = 0, s = 0;
      double t = 0;
      tally(rs, &f, &e, &s, &t);
      x << "  <testsuite name=\"" << XmlEscape(b.name + " [" + p.name + "]") << "\" tests=\""
        << rs.size() << "\" failures=\"" << f << "\" errors=\"" << e << "\" skipped=\"" << s
        << "\" time=\"" << Fixed3(t) << "\">\n";
      x << "    <properties>\n";
      x << "      <property name=\"binary\" value=\"" << XmlEscape(b.path) << "\"/>\n";
      x << "      <property name=\"platform\" value=\"" << XmlEscape(p.name) << "\"/>\n";
      if (!p.available) {
        x << "      <property name=\"platform-unavailable\" value=\"" << XmlEscape(p.reason)
          << "\"/>\n";
      }
      x << "    </properties>\n";
      for (const CaseResult* r : rs) {
        x << "    <testcase name=\"" << XmlEscape(r->name) << "\" classname=\""
          << XmlEscape(r->binary + "." + r->platform) << "\" time=\"" << Fixed3(r->seconds)
          << "\"";
        const char* element = nullptr;
        switch (r->status) {
          case Status::kPass: break;
          case Status::kFail:
          case Status::kUnimplemented: element = "failure"; break;
          case Status::kTimeout:
          case Status::kCrash: element = "error"; break;
          case Status::kNativeFail:
          case Status::kSkipped:
          case Status::kUnavailable: element = "skipped"; break;
        }
        if (!element) {
          x << "/>\n";
          continue;
        }
        x << ">\n      <" << element << " type=\"" << StatusName(r->status) << "\" message=\""
          << XmlEscape(std::string(StatusName(r->status)) + ": " + r->detail) << "\"";
        if (r->output.empty()) {
          x << "/>\n";
        } else {
          x << ">" << XmlEscape(LastLines(r->output, kJunitOutputLines)) << "</" << element
            << ">\n";
        }
        x << "    </testcase>\n";
      }
      x << "  </testsuite>\n";
    }
  }
  x << "</testsuites>\n";
  return x.str();
}

std::string ResultJson(const RunReport& report) {
  auto counts = [](const std::map<std::string, uint64_t>& m) {
    std::string s = "{";
    for (const auto& [name, n] : m) {
      if (s.size() > 1) s += ", ";
      s += "\"" + JsonEscape(name) + "\": " + std::to_string(n);
    }
    return s + "}";
  };
  std::ostringstream j;
  j << "{\n  \"format\": \"runsc-conformance-1\",\n  \"platforms\": [";
  for (size_t i = 0; i < report.platforms.size(); i++) {
    const Platform& p = report.platforms[i];
    j << (i ? ",\n    " : "\n    ") << "{\"name\": \"" << JsonEscape(p.name)
      << "\", \"available\": " << (p.available ? "true" : "false") << ", \"reason\": \""
      << JsonEscape(p.reason) << "\"}";
  }
  j << "\n  ],\n  \"binaries\": [";
  for (size_t i = 0; i < report.binaries.size(); i++) {
    const Binary& b = report.binaries[i];
    j << (i ? ",\n    " : "\n    ") << "{\"name\": \"" << JsonEscape(b.name) << "\", \"path\": \""
      << JsonEscape(b.path) << "\", \"gtest\": " << (b.gtest ? "true" : "false")
      << ", \"cases\": " << b.cases.size() << ", \"list_error\": \"" << JsonEscape(b.list_error)
      << "\"}";
  }
  j << "\n  ],\n  \"results\": [";
  for (size_t i = 0; i < report.results.size(); i++) {
    const CaseResult& r = report.results[i];
    j << (i ? ",\n    " : "\n    ") << "{\"binary\": \"" << JsonEscape(r.binary)
      << "\", \"case\": \"" << JsonEscape(r.name) << "\", \"platform\": \""
      << JsonEscape(r.platform) << "\", \"status\": \"" << StatusName(r.status)
      << "\", \"seconds\": " << Fixed3(r.seconds) << ", \"detail\": \"" << JsonEscape(r.detail)
      << "\", \"unimplemented\": " << counts(r.unimplemented)
      << ", \"partial\": " << counts(r.partial) << "}";
  }
  Totals t = Count(report.results);
  j << "\n  ],\n  \"totals\": {\"passed\": " << t.passed << ", \"failed\": " << t.failed;
  for (Status s : kAllStatuses) j << ", \"" << StatusName(s) << "\": " << t.by_status[s];
  j << "}\n}\n";
  return j.str();
}

bool ParseBaseline(const std::string& text, Baseline* out, std::string* error) {
  *out = Baseline();
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    *error = "empty file";
    return false;
  }
  if (text[first] == '{') {
    JsonValue doc;
    if (!ParseJson(text, &doc, error)) return false;
    const JsonValue* results = doc.Find("results");
    if (!results || results->kind != JsonValue::Kind::kArray) {
      *error = "no \"results\" array (not a file written by --save)";
      return false;
    }
    for (const JsonValue& r : results->array) {
      std::optional<Status> s = StatusFromName(r.StringOr("status", ""));
      if (!s) {
        *error = "a result has an unknown status \"" + r.StringOr("status", "") + "\"";
        return false;
      }
      ResultKey key{r.StringOr("binary", ""), r.StringOr("case", ""), r.StringOr("platform", "")};
      out->status[key] = *s;
      out->detail[key] = r.StringOr("detail", "");
    }
    return true;
  }
  if (text[first] != '<') {
    *error = "neither JSON (--save) nor JUnit XML";
    return false;
  }
  XmlReader reader(text);
  XmlTag tag;
  bool in_case = false;
  ResultKey key;
  Status status = Status::kPass;
  std::string detail;
  auto finish = [&] {
    out->status[key] = status;
    out->detail[key] = detail;
    in_case = false;
  };
  bool any = false;
  while (reader.Next(&tag)) {
    if (tag.name == "testcase" && tag.kind != XmlTag::Kind::kEnd) {
      if (in_case) finish();
      std::string classname = tag.Attr("classname");
      size_t dot = classname.rfind('.');
      std::string binary = dot == std::string::npos ? classname : classname.substr(0, dot);
      std::string platform = dot == std::string::npos ? "" : classname.substr(dot + 1);
      key = ResultKey{binary, tag.Attr("name"), platform};
      status = Status::kPass;
      detail.clear();
      in_case = true;
      any = true;
      if (tag.kind == XmlTag::Kind::kEmpty) finish();
    } else if (tag.name == "testcase" && tag.kind == XmlTag::Kind::kEnd) {
      if (in_case) finish();
    } else if (in_case && tag.kind != XmlTag::Kind::kEnd &&
               (tag.name == "failure" || tag.name == "error" || tag.name == "skipped")) {
      std::optional<Status> typed = StatusFromName(tag.Attr("type"));
      if (typed) {
        status = *typed;
      } else {
        status = tag.name == "failure" ? Status::kFail
                 : tag.name == "error" ? Status::kCrash
                                       : Status::kSkipped;
      }
      detail = tag.Attr("message");
    }
  }
  if (!reader.error().empty()) {
    *error = "malformed XML: " + reader.error();
    return false;
  }
  if (in_case) finish();
  if (!any) {
    *error = "no <testcase> elements";
    return false;
  }
  return true;
}

bool LoadBaseline(const std::string& path, Baseline* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": " + strerror(errno);
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  if (!ParseBaseline(buf.str(), out, error)) {
    *error = path + ": " + *error;
    return false;
  }
  return true;
}

Comparison Compare(const Baseline& baseline, const std::vector<CaseResult>& results,
                   bool report_gone) {
  Comparison c;
  std::set<std::pair<std::string, std::string>> pairs;  // (binary, platform) run now
  std::set<ResultKey> now;
  for (const CaseResult& r : results) {
    ResultKey key{r.binary, r.name, r.platform};
    now.insert(key);
    pairs.insert({r.binary, r.platform});
    auto it = baseline.status.find(key);
    std::optional<Status> before;
    if (it != baseline.status.end()) before = it->second;
    if (before == r.status) continue;
    c.changes.push_back({key, before, r.status, r.detail});
  }
  // Cases that disappeared from a binary and platform that ran this time.
  for (const auto& [key, status] : baseline.status) {
    if (!report_gone) break;
    if (now.count(key) || !pairs.count({std::get<0>(key), std::get<2>(key)})) continue;
    c.changes.push_back({key, status, std::nullopt, ""});
  }
  auto rank = [](const Change& ch) {
    const bool was = ch.before && IsFailure(*ch.before);
    const bool is = ch.after && IsFailure(*ch.after);
    if (is && !was) return 0;                 // regression
    if (was && ch.after && !is) return 1;     // fix
    return 2;
  };
  for (const Change& ch : c.changes) {
    int r = rank(ch);
    if (r == 0) c.regressions++;
    if (r == 1) c.fixes++;
  }
  std::stable_sort(c.changes.begin(), c.changes.end(), [&](const Change& a, const Change& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return a.key < b.key;
  });
  return c;
}

void PrintComparison(FILE* out, const std::string& baseline_path, const Comparison& c) {
  if (c.changes.empty()) {
    fprintf(out, "no changes since %s\n", baseline_path.c_str());
    return;
  }
  fprintf(out, "%zu changes since %s: %zu regressions, %zu fixed, %zu other\n", c.changes.size(),
          baseline_path.c_str(), c.regressions, c.fixes,
          c.changes.size() - c.regressions - c.fixes);
  size_t wbin = 0, wcase = 0;
  for (const Change& ch : c.changes) {
    wbin = std::max(wbin, std::get<0>(ch.key).size());
    wcase = std::max(wcase, std::get<1>(ch.key).size());
  }
  wbin = std::min<size_t>(wbin, 32);
  wcase = std::min<size_t>(wcase, 56);
  for (const Change& ch : c.changes) {
    std::string transition = std::string(ch.before ? StatusName(*ch.before) : "(new)") + " -> " +
                             (ch.after ? StatusName(*ch.after) : "(gone)");
    std::string where = "[" + std::get<2>(ch.key) + "]";
    fprintf(out, "  %-28s %-*s %-*s %-9s %s\n", transition.c_str(), static_cast<int>(wbin),
            std::get<0>(ch.key).c_str(), static_cast<int>(wcase), std::get<1>(ch.key).c_str(),
            where.c_str(), ch.detail.c_str());
  }
}

}  // namespace runsc::conformance
