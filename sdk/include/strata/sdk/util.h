#pragma once

// Small helpers plugins commonly need, header-only: standard C++ and POSIX only.

#include <fnmatch.h>

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

/// Matches a whole string with fnmatch(3) (POSIX, in every libc): '*' (any
/// run, '/' and '.' included), '?' (one character), '[abc]', '[a-z]',
/// '[!abc]' and '\' escaping the next character. With `ignoreCase`, letters
/// match regardless of case (image names are lowercase, attribute paths are
/// not).
inline bool globMatch(std::string_view pattern, std::string_view text, bool ignoreCase = false) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(text).c_str(),
                   ignoreCase ? FNM_CASEFOLD : 0) == 0;
}

}  // namespace strata::sdk
