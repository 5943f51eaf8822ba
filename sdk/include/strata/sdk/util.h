#pragma once

// Small helpers plugins commonly need, header-only and standard C++ only.

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace strata::sdk {

/// The name part of a store path: "/nix/store/<hash>-glibc-2.37-8" →
/// "glibc-2.37-8". Anything that does not look like a store path is returned
/// from its last '/' on.
inline std::string_view storePathName(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::size_t dash = base.find('-');
  // Nix hashes are 32 characters of base32; the name follows the dash.
  if (dash == 32) return base.substr(33);
  return base;
}

/// fnmatch-style matching of a whole string: '*' (any run, '/' and '.'
/// included), '?' (one character), '[abc]', '[a-z]', '[!abc]' and '\'
/// escaping the next character. With `ignoreCase`, ASCII letters match
/// regardless of case (image names are lowercase, attribute paths are not).
inline bool globMatch(std::string_view pattern, std::string_view text, bool ignoreCase = false) {
  auto fold = [&](char c) {
    return ignoreCase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
  };
  // One character class starting at pattern[p] == '['; sets `end` past it.
  auto matchClass = [&](std::size_t p, char c, std::size_t& end) -> int {
    std::size_t i = p + 1;
    bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
    if (negate) ++i;
    bool found = false;
    bool first = true;
    while (i < pattern.size() && (first || pattern[i] != ']')) {
      first = false;
      char lo = fold(pattern[i]);
      char hi = lo;
      if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
        hi = fold(pattern[i + 2]);
        i += 2;
      }
      if (lo <= fold(c) && fold(c) <= hi) found = true;
      ++i;
    }
    if (i >= pattern.size()) return -1;  // no closing ']': '[' is a literal
    end = i + 1;
    return found != negate ? 1 : 0;
  };
  // Iterative matching with one backtrack point for the last '*': linear in
  // practice, no recursion on hostile patterns.
  std::size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '*') {
        starP = ++p;
        starT = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++t;
        continue;
      }
      if (pc == '[') {
        std::size_t end = 0;
        int m = matchClass(p, text[t], end);
        if (m == 1) {
          p = end;
          ++t;
          continue;
        }
        if (m == -1 && text[t] == '[') {
          ++p;
          ++t;
          continue;
        }
      } else {
        if (pc == '\\' && p + 1 < pattern.size()) pc = pattern[++p];
        if (fold(pc) == fold(text[t])) {
          ++p;
          ++t;
          continue;
        }
      }
    }
    if (starP == std::string_view::npos) return false;
    p = starP;
    t = ++starT;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace strata::sdk
