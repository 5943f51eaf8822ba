#include "meta/sql/SqlDatabase.h"

namespace strata {

std::string numberedPlaceholders(std::string_view statement) {
  std::string out;
  out.reserve(statement.size() + 16);
  int n = 0;
  bool quoted = false;
  for (char c : statement) {
    if (c == '\'') quoted = !quoted;  // '' inside a literal toggles twice: still right
    if (c == '?' && !quoted) {
      out += "$" + std::to_string(++n);
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace strata
