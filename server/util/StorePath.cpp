#include "util/StorePath.h"

namespace strata {

bool isStorePath(const std::string& path) {
  static const std::string kStore = "/nix/store/";
  if (path.compare(0, kStore.size(), kStore) != 0) return false;
  std::string base = path.substr(kStore.size());
  if (base.size() < 34 || base[32] != '-') return false;
  for (std::size_t i = 0; i < 32; ++i) {
    char c = base[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  }
  for (std::size_t i = 33; i < base.size(); ++i) {
    char c = base[i];
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '+' || c == '-' || c == '.' || c == '_' || c == '?' || c == '=';
    if (!ok) return false;
  }
  return base.substr(33) != "." && base.substr(33) != "..";
}

}  // namespace strata
