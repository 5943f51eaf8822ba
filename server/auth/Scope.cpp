#include "auth/Scope.h"

#include <algorithm>
#include <cstdint>

#include "util/Error.h"
#include "util/Utf8.h"

namespace strata {
namespace {

bool validActionChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*' ||
         c == '_' || c == '-';
}

[[noreturn]] void malformed(std::string_view text, const std::string& why) {
  std::string shown(text.substr(0, 200));
  // The message reaches a JSON error body: it must be UTF-8 too.
  bool utf8 = isUtf8(shown);
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f ||
        (!utf8 && static_cast<unsigned char>(c) >= 0x80))
      c = '?';
  throw Error(ErrorKind::BadRequest, "invalid scope '" + shown + "': " + why);
}

}  // namespace

bool Scope::allows(std::string_view action) const {
  return std::any_of(actions.begin(), actions.end(),
                     [&](const std::string& a) { return a == action || a == "*"; });
}

Scope parseScope(std::string_view text) {
  auto first = text.find(':');
  auto last = text.rfind(':');
  if (first == std::string_view::npos || first == last)
    malformed(text, "expected type:name:actions");
  Scope s;
  s.type = std::string(text.substr(0, first));
  // "repository(plugin):name:pull": the resource class does not matter here.
  if (auto paren = s.type.find('('); paren != std::string::npos && s.type.back() == ')')
    s.type.resize(paren);
  s.name = std::string(text.substr(first + 1, last - first - 1));
  if (s.type.empty() ||
      !std::all_of(s.type.begin(), s.type.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    malformed(text, "the type must be lowercase letters");
  if (s.name.empty()) malformed(text, "the name is empty");
  for (char c : s.name)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) malformed(text, "bad name character");
  if (!isUtf8(s.name)) malformed(text, "the name is not UTF-8");
  std::string_view acts = text.substr(last + 1);
  std::size_t start = 0;
  while (start <= acts.size()) {
    auto comma = acts.find(',', start);
    std::string_view a = acts.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (a.empty() || !std::all_of(a.begin(), a.end(), validActionChar))
      malformed(text, "actions must be a comma-separated list such as pull,push");
    if (std::find(s.actions.begin(), s.actions.end(), a) == s.actions.end())
      s.actions.emplace_back(a);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return s;
}

std::vector<Scope> parseScopes(const std::vector<std::string>& values) {
  std::vector<Scope> out;
  for (const auto& value : values) {
    std::size_t start = 0;
    while (start < value.size()) {
      auto space = value.find(' ', start);
      std::string_view part = std::string_view(value).substr(
          start, space == std::string::npos ? std::string::npos : space - start);
      if (!part.empty()) {
        Scope s = parseScope(part);
        auto same = std::find_if(out.begin(), out.end(), [&](const Scope& o) {
          return o.type == s.type && o.name == s.name;
        });
        if (same == out.end()) {
          out.push_back(std::move(s));
        } else {
          for (auto& a : s.actions)
            if (std::find(same->actions.begin(), same->actions.end(), a) == same->actions.end())
              same->actions.push_back(a);
        }
      }
      if (space == std::string::npos) break;
      start = space + 1;
    }
  }
  return out;
}

std::string formatScope(const Scope& scope) {
  std::string out = scope.type + ":" + scope.name + ":";
  for (std::size_t i = 0; i < scope.actions.size(); ++i) {
    if (i) out += ",";
    out += scope.actions[i];
  }
  return out;
}

}  // namespace strata
