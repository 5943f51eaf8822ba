#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/AccessController.h"
#include "auth/AuthAdmin.h"
#include "auth/Authenticator.h"
#include "auth/LoginThrottle.h"
#include "auth/PasswordHasher.h"
#include "auth/Scope.h"
#include "auth/TokenService.h"
#include "meta/AuthRepository.h"

namespace strata {

struct Config;

/// A request of GET /token, as the client sent it.
struct TokenRequest {
  std::string authorization;  ///< the Authorization header; Basic or none
  std::string clientAddress;
  std::string service;              ///< empty or "strata"
  std::vector<std::string> scopes;  ///< every `scope` parameter
};

/// The auth components wired together, for handlers and the CLI. The token
/// service exists only when auth.enabled (its key is loaded or generated at
/// start-up); everything else works on the database alone.
class AuthService {
 public:
  AuthService(const Config& config, AuthRepository& repository, bool withTokens);
  ~AuthService();

  bool enabled() const;
  const Config& config() const { return config_; }

  AuthRepository& repository() { return repo_; }
  Authenticator& authenticator() { return authenticator_; }
  AccessController& access() { return access_; }
  AuthAdmin& admin() { return admin_; }
  /// Null when auth is disabled.
  const TokenService* tokens() const { return tokens_.get(); }

  /// Docker's token endpoint: Basic credentials (password or API token), or
  /// none when auth.anonymousPull is on; the token's access is the requested
  /// scope intersected with what the caller may do. Throws
  /// AuthenticationRequired (with a Basic challenge), Error(BadRequest) for a
  /// malformed scope or another service, Error(UnknownName) with auth off.
  IssuedToken issueToken(const TokenRequest& request);

  /// `Bearer realm="<publicUrl>/token",service="strata"[,scope="…"][,error="…"]`
  std::string challenge(const std::optional<Scope>& scope, const std::string& error = "") const;

  static constexpr const char* kService = "strata";

 private:
  const Config& config_;
  AuthRepository& repo_;
  PasswordHasher hasher_;
  LoginThrottle throttle_;
  std::unique_ptr<TokenService> tokens_;
  Authenticator authenticator_;
  AccessController access_;
  AuthAdmin admin_;
};

}  // namespace strata
