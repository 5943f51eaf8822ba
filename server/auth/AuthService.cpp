#include "auth/AuthService.h"

#include <Poco/String.h>

#include <ctime>

#include "auth/AuthenticationRequired.h"
#include "config/Config.h"
#include "util/Error.h"

namespace strata {
namespace {

std::unique_ptr<TokenService> makeTokens(const Config& c, bool withTokens) {
  if (!withTokens) return nullptr;
  return std::make_unique<TokenService>(
      TokenService::loadOrCreateSigningKey(c.auth.signingKeyFile, c.dataDir),
      c.auth.tokenTtlSeconds);
}

/// The actions of `requested` the subject gets on one scope.
Scope grantedScope(const Config& config, AccessController& access, const Subject& subject,
                   const Scope& requested) {
  Scope granted{requested.type, requested.name, {}};
  if (requested.type == "repository") {
    // Only pulling exists; "*" asks for everything, which is pull.
    if (!requested.allows("pull")) return granted;
    try {
      if (access.mayPull(subject, parseImageName(requested.name, config.sources)))
        granted.actions.push_back("pull");
    } catch (const Error&) {
      // An unknown or invalid name grants nothing; the registry will say why
      // when the client asks for it.
    }
  } else if (requested.type == "registry" && requested.name == "catalog" && requested.allows("*")) {
    // The catalog lists only what the subject may pull, so any caller the
    // token endpoint accepts may list it.
    granted.actions.push_back("*");
  }
  return granted;
}

}  // namespace

AuthService::AuthService(const Config& config, AuthRepository& repository, bool withTokens)
    : config_(config),
      repo_(repository),
      tokens_(makeTokens(config, withTokens)),
      authenticator_(repo_, hasher_, tokens_.get(), throttle_),
      access_(repo_, config),
      admin_(repo_, hasher_, config) {}

AuthService::~AuthService() = default;

bool AuthService::enabled() const {
  return config_.auth.enabled;
}

IssuedToken AuthService::issueToken(const TokenRequest& request) {
  if (!enabled() || !tokens_)
    throw Error(ErrorKind::UnknownName,
                "authentication is off (auth.enabled is false): no token service and no admin "
                "API; use `strata admin` on the server");
  if (!request.service.empty() && request.service != kService)
    throw Error(ErrorKind::BadRequest, "unknown service '" + request.service.substr(0, 64) +
                                           "': this registry is \"" + kService + "\"");
  const std::string& authorization = request.authorization;
  Subject subject;
  try {
    if (authorization.empty()) {
      if (!config_.auth.anonymousPull)
        throw Error(ErrorKind::Unauthorized, "credentials required: use basic authentication");
      subject = Authenticator::anonymous(request.clientAddress);
    } else if (authorization.size() >= 6 &&
               Poco::icompare(authorization.substr(0, 6), std::string("basic ")) == 0) {
      subject = authenticator_.authenticate(authorization, request.clientAddress);
    } else {
      throw Error(ErrorKind::Unauthorized, "the token endpoint takes basic credentials");
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Unauthorized)
      throw AuthenticationRequired(e.what(), "Basic realm=\"strata\"");
    throw;
  }
  std::vector<Scope> granted;
  for (const auto& requested : parseScopes(request.scopes))
    granted.push_back(grantedScope(config_, access_, subject, requested));
  return tokens_->issue(subject.user, granted, subject.apiTokenId,
                        static_cast<std::int64_t>(std::time(nullptr)));
}

std::string AuthService::challenge(const std::optional<Scope>& scope,
                                   const std::string& error) const {
  std::string c = "Bearer realm=\"" + config_.publicUrl + "/token\",service=\"" + kService + "\"";
  if (scope) c += ",scope=\"" + formatScope(*scope) + "\"";
  if (!error.empty()) c += ",error=\"" + error + "\"";
  return c;
}

}  // namespace strata
