#include "auth/Glob.h"

#include <fnmatch.h>

namespace strata {

bool globMatch(const std::string& pattern, const std::string& text) {
  // No FNM_PERIOD / FNM_PATHNAME: attribute paths use '.' as separator and a
  // grant of '*' means every package. FNM_NOESCAPE: '\' is refused in globs.
  return ::fnmatch(pattern.c_str(), text.c_str(), FNM_CASEFOLD | FNM_NOESCAPE) == 0;
}

std::string invalidGlobReason(std::string_view glob) {
  if (glob.empty()) return "is empty";
  if (glob.size() > 256) return "is longer than 256 characters";
  for (char c : glob) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '\'' || c == '\\' || c == '`')
      return "may only hold printable ASCII characters other than spaces, quotes and '\\'";
  }
  return {};
}

}  // namespace strata
