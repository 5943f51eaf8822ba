#pragma once

#include <Poco/JWT/Signer.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/Scope.h"

namespace strata {

/// What a registry token says (the JWT's claims).
struct TokenClaims {
  std::string subject;                     ///< user name ("sub"); empty for an anonymous token
  std::vector<Scope> access;               ///< Docker's "access" claim: what the token allows
  std::optional<std::int64_t> apiTokenId;  ///< "strata_tid": the API token the login used
  std::int64_t issuedAt = 0;               ///< "iat", seconds since the epoch
  std::int64_t notBefore = 0;              ///< "nbf"
  std::int64_t expiresAt = 0;              ///< "exp"
  std::string id;                          ///< "jti", random
};

struct IssuedToken {
  std::string jwt;
  TokenClaims claims;
};

/// Issues and verifies the registry's bearer tokens: JWTs signed with RS256
/// (Poco::JWT), iss and aud "strata". Verification accepts RS256 and nothing
/// else, so "alg": "none" and HS256 tokens (forged with the public key as HMAC
/// secret) are refused.
class TokenService {
 public:
  static constexpr const char* kIssuer = "strata";
  static constexpr const char* kAudience = "strata";
  /// Clock skew tolerated on nbf and iat, for replicas whose clocks differ.
  static constexpr std::int64_t kLeewaySeconds = 30;

  /// `privateKeyPem`: a PEM RSA private key. Throws std::runtime_error when
  /// it is not one.
  TokenService(const std::string& privateKeyPem, int ttlSeconds);
  ~TokenService();

  /// The PEM key in `keyFile` when set; else the one in
  /// `<dataDir>/token-signing-key.pem`, generated (RSA 2048, mode 0600) the
  /// first time. Safe against two processes creating it at once.
  static std::string loadOrCreateSigningKey(const std::string& keyFile, const std::string& dataDir);

  IssuedToken issue(const std::string& subject, const std::vector<Scope>& access,
                    std::optional<std::int64_t> apiTokenId, std::int64_t now) const;

  /// The claims of a valid token. Throws strata::Error(Unauthorized) when the
  /// token is malformed, not RS256, wrongly signed, not for "strata", not yet
  /// valid or expired.
  TokenClaims verify(const std::string& jwt, std::int64_t now) const;

  int ttlSeconds() const { return ttl_; }

 private:
  std::unique_ptr<Poco::JWT::Signer> signer_;
  int ttl_;
};

}  // namespace strata
