#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/Scope.h"
#include "strata/sdk/policy.h"

namespace strata {

/// Who asks, after authentication. Maps onto sdk::Subject for access-policy
/// plugins (toSdk); the rest is what the core needs to re-check live state.
struct Subject {
  enum class Method { Anonymous, Password, ApiToken, Bearer };

  std::string user;                ///< empty for anonymous
  std::int64_t userId = 0;         ///< 0 for anonymous
  std::vector<std::string> teams;  ///< sorted; the built-in "anonymous" team for anonymous
  std::string clientAddress;       ///< IP address, no port
  Method method = Method::Anonymous;
  /// The API token the login used, directly or through the JWT it produced:
  /// revoking that token ends every session made with it.
  std::optional<std::int64_t> apiTokenId;
  /// Bearer only: what the JWT grants. Requests are allowed only inside it
  /// (and inside the live grants); nullopt for Basic and anonymous.
  std::optional<std::vector<Scope>> tokenAccess;

  bool anonymous() const { return user.empty(); }

  sdk::Subject toSdk() const { return sdk::Subject{user, teams, clientAddress}; }
};

/// The name of the built-in team whose grants apply to anonymous requests.
inline constexpr const char* kAnonymousTeam = "anonymous";

}  // namespace strata
