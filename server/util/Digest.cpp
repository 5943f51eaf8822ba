#include "util/Digest.h"

#include <stdexcept>

#include "util/Sha256.h"

namespace strata {

bool isSha256Hex(std::string_view hex) {
  if (hex.size() != 64) return false;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::optional<Digest> Digest::parse(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256:";
  if (text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  auto hex = text.substr(kPrefix.size());
  if (!isSha256Hex(hex)) return std::nullopt;
  return Digest(std::string(hex));
}

Digest Digest::ofBytes(std::string_view bytes) {
  return Digest(Sha256::hex(bytes));
}

Digest Digest::fromHex(std::string hex) {
  if (!isSha256Hex(hex)) throw std::invalid_argument("not a sha256 hex digest: " + hex);
  return Digest(std::move(hex));
}

}  // namespace strata
