#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata {

/// A content digest. Only sha256 is accepted: the hex part is exactly 64
/// lowercase hex digits, so a parsed digest is always safe to use in a path.
class Digest {
 public:
  static std::optional<Digest> parse(std::string_view text);
  static Digest ofBytes(std::string_view bytes);
  static Digest fromHex(std::string hex);  ///< throws std::invalid_argument if not 64 hex digits

  const std::string& hex() const { return hex_; }
  std::string str() const { return "sha256:" + hex_; }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  explicit Digest(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

bool isSha256Hex(std::string_view hex);

}  // namespace strata
