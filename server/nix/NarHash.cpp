#include "nix/NarHash.h"

#include <Poco/Base64Decoder.h>

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace strata {
namespace {

constexpr std::size_t kSha256Bytes = 32;

std::string hex(const std::vector<std::uint8_t>& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

[[noreturn]] void invalid(const std::string& hash) {
  throw std::invalid_argument("not a sha256 NAR hash: '" + hash.substr(0, 80) + "'");
}

std::vector<std::uint8_t> fromBase64(const std::string& text, const std::string& whole) {
  // 32 bytes are 44 base64 characters with one '=' of padding.
  if (text.size() != 44 || text[43] != '=' || text[42] == '=') invalid(whole);
  for (std::size_t i = 0; i < 43; ++i) {
    char c = text[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) invalid(whole);
  }
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  std::string raw((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  if (raw.size() != kSha256Bytes) invalid(whole);
  return std::vector<std::uint8_t>(raw.begin(), raw.end());
}

// Nix's base32: its own alphabet (no e, o, u, t), and the digits run from the
// end of the string towards the start of the hash.
std::vector<std::uint8_t> fromNixBase32(const std::string& text, const std::string& whole) {
  static const std::string kAlphabet = "0123456789abcdfghijklmnpqrsvwxyz";
  if (text.size() != 52) invalid(whole);
  std::vector<std::uint8_t> bytes(kSha256Bytes, 0);
  for (std::size_t n = 0; n < text.size(); ++n) {
    auto digit = kAlphabet.find(text[text.size() - n - 1]);
    if (digit == std::string::npos) invalid(whole);
    std::size_t bit = n * 5, i = bit / 8, j = bit % 8;
    bytes[i] |= static_cast<std::uint8_t>(digit << j);
    auto carry = static_cast<std::uint8_t>(digit >> (8 - j));
    if (i + 1 < bytes.size())
      bytes[i + 1] |= carry;
    else if (carry != 0)
      invalid(whole);  // bits beyond the hash
  }
  return bytes;
}

}  // namespace

std::string normalizeNarHash(const std::string& hash) {
  if (hash.rfind("sha256-", 0) == 0) return "sha256:" + hex(fromBase64(hash.substr(7), hash));
  if (hash.rfind("sha256:", 0) != 0) invalid(hash);
  std::string rest = hash.substr(7);
  if (rest.size() == 64) {
    for (char c : rest)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) invalid(hash);
    return hash;
  }
  return "sha256:" + hex(fromNixBase32(rest, hash));
}

}  // namespace strata
