#include "auth/AuthService.h"

#include "config/Config.h"

namespace strata {
namespace {

std::unique_ptr<TokenService> makeTokens(const Config& c, bool withTokens) {
  if (!withTokens) return nullptr;
  return std::make_unique<TokenService>(
      TokenService::loadOrCreateSigningKey(c.auth.signingKeyFile, c.dataDir),
      c.auth.tokenTtlSeconds);
}

}  // namespace

AuthService::AuthService(const Config& config, Database& db, bool withTokens)
    : config_(config),
      repo_(db),
      tokens_(makeTokens(config, withTokens)),
      authenticator_(repo_, hasher_, tokens_.get(), throttle_),
      access_(repo_, config),
      admin_(repo_, hasher_, config) {}

AuthService::~AuthService() = default;

bool AuthService::enabled() const {
  return config_.auth.enabled;
}

std::string AuthService::challenge(const std::optional<Scope>& scope,
                                   const std::string& error) const {
  std::string c = "Bearer realm=\"" + config_.publicUrl + "/token\",service=\"" + kService + "\"";
  if (scope) c += ",scope=\"" + formatScope(*scope) + "\"";
  if (!error.empty()) c += ",error=\"" + error + "\"";
  return c;
}

}  // namespace strata
