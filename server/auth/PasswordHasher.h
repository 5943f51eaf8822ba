#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

/// Hashes passwords with scrypt (OpenSSL EVP_PBE_scrypt): slow, memory-hard,
/// salted with 16 random bytes. The result is self-describing,
/// "scrypt$N$r$p$<salt base64>$<hash base64>", so that the cost can be raised
/// later without invalidating stored hashes: verify() reads the parameters
/// from the string.
class PasswordHasher {
 public:
  struct Params {
    std::uint64_t n = 1u << 15;  ///< CPU/memory cost: 2^15 × r × 128 B = 32 MiB per hash
    std::uint64_t r = 8;
    std::uint64_t p = 1;
  };

  PasswordHasher() = default;
  explicit PasswordHasher(Params params);

  /// A fresh encoded hash of `password` (new salt each call).
  std::string hash(std::string_view password) const;

  /// True when `password` matches `encoded`. A malformed string, or one whose
  /// parameters are out of the accepted bounds, never matches. Compares in
  /// constant time.
  bool verify(std::string_view password, std::string_view encoded) const;

  /// Spends the time of one verify() without a stored hash, so that a login
  /// for an unknown user takes as long as one with a wrong password.
  void burn(std::string_view password) const;

  const Params& params() const { return params_; }

  /// How many hashes (hash, verify, burn) run at once in this process; the
  /// others wait. scrypt holds 128 × N × r bytes (32 MiB by default) while it
  /// runs, and any client can send Basic credentials: without a bound a burst
  /// of logins makes the process allocate gigabytes. Default: the number of
  /// cores (at least 2); more at once would not be faster.
  static unsigned maxConcurrentHashes();
  static void setMaxConcurrentHashes(unsigned n);  ///< n >= 1; for tests and tuning

 private:
  Params params_;
};

}  // namespace strata
