#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "auth/LoginThrottle.h"
#include "auth/Subject.h"

namespace strata {

class AuthRepository;
class PasswordHasher;
class TokenService;

/// Turns an Authorization header into a Subject: `Basic` with a password or an
/// API token (the user name must be the token's owner), `Bearer` with a JWT
/// from GET /token, or nothing (anonymous). Failed Basic logins are slowed
/// down (LoginThrottle) and written to the audit log. Live state is always
/// re-read: team memberships, a deleted user, a revoked or expired API token.
class Authenticator {
 public:
  /// Longest a login waits for the throttle; past it the answer is 429.
  static constexpr int kMaxWaitingLogins = 64;

  Authenticator(AuthRepository& repo, const PasswordHasher& hasher, const TokenService* tokens,
                LoginThrottle& throttle)
      : repo_(repo), hasher_(hasher), tokens_(tokens), throttle_(throttle) {}

  /// Throws Error(Unauthorized) for credentials that do not check out,
  /// Error(Busy) when too many throttled logins wait already.
  Subject authenticate(const std::string& authorization, const std::string& clientAddress);

  Subject basic(const std::string& user, const std::string& secret,
                const std::string& clientAddress);
  Subject bearer(const std::string& jwt, const std::string& clientAddress);
  static Subject anonymous(const std::string& clientAddress);

  /// API token secrets start with this, so that Basic logins can tell them
  /// from passwords without a database lookup for every password.
  static constexpr const char* kApiTokenPrefix = "strata_";

 private:
  [[noreturn]] void loginFailed(const std::string& user, const std::string& clientAddress,
                                const std::string& why);
  void waitForThrottle(const std::string& user, const std::string& clientAddress);

  AuthRepository& repo_;
  const PasswordHasher& hasher_;
  const TokenService* tokens_;
  LoginThrottle& throttle_;
  std::atomic<int> waiting_{0};
};

}  // namespace strata
