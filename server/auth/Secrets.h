#pragma once

#include <string>
#include <string_view>

namespace strata::secrets {

/// `n` bytes from OpenSSL's CSPRNG (RAND_bytes). Throws std::runtime_error when
/// the generator fails: never falls back to a weaker source.
std::string randomBytes(std::size_t n);

/// RFC 4648 base64 with padding, and its strict inverse (throws
/// std::invalid_argument on anything that is not canonical base64).
std::string base64(std::string_view bytes);
std::string unbase64(std::string_view text);

/// RFC 4648 §5 base64url without padding (URL- and header-safe).
std::string base64Url(std::string_view bytes);

/// Compares in time that depends only on the lengths (CRYPTO_memcmp), so that
/// a secret cannot be guessed byte by byte from response times.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace strata::secrets
