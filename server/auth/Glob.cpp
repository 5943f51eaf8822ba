#include "auth/Glob.h"

#include "strata/sdk/util.h"

namespace strata {

bool globMatch(const std::string& pattern, const std::string& text) {
  // The SDK's matcher, so that grants and policy plugins read globs alike. A
  // grant's glob never holds '\' (invalidGlobReason), so escaping cannot differ.
  return sdk::globMatch(pattern, text, /*ignoreCase=*/true);
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
