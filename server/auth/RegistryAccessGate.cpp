#include "auth/RegistryAccessGate.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <ctime>

#include "auth/AuthService.h"
#include "config/Config.h"
#include "plugins/PolicyRegistry.h"
#include "util/Metrics.h"

namespace strata {
namespace {

bool tokenAllows(const std::vector<Scope>& access, const std::string& type, const std::string& name,
                 const std::string& action) {
  return std::any_of(access.begin(), access.end(), [&](const Scope& s) {
    return s.type == type && s.name == name && s.allows(action);
  });
}

}  // namespace

bool RegistryAccessGate::authOn() const {
  return auth_ != nullptr && auth_->enabled();
}

void RegistryAccessGate::unauthorized(Requirement requirement, const std::string& name,
                                      const std::string& message, const std::string& error) {
  metrics_.add("strata_auth_unauthorized_total");
  // The admin API is for scripts with Basic credentials; registry clients
  // follow the Bearer challenge to GET /token, with the scope to ask for.
  // Only valid names go into the header.
  if (requirement == Requirement::Admin)
    throw AuthenticationRequired(message, "Basic realm=\"strata\"");
  std::optional<Scope> scope;
  if (requirement == Requirement::Pull && isValidRepositoryName(name))
    scope = Scope{"repository", name, {"pull"}};
  if (requirement == Requirement::Catalog) scope = Scope{"registry", "catalog", {"*"}};
  throw AuthenticationRequired(message, auth_->challenge(scope, error));
}

void RegistryAccessGate::audit(AuditRecord record) {
  try {
    record.at = static_cast<std::int64_t>(std::time(nullptr));
    auth_->repository().audit(record);
  } catch (const std::exception& e) {
    Poco::Logger::get("strata.auth").error("cannot write the audit log: %s", std::string(e.what()));
  }
}

Caller RegistryAccessGate::admit(Requirement requirement, const std::string& name,
                                 const std::string& authorization,
                                 const std::string& clientAddress) {
  if (requirement == Requirement::Open || !authOn()) return Caller{std::nullopt, clientAddress};
  const bool anonymousPull = config_.auth.anonymousPull;
  Subject s;
  try {
    s = auth_->authenticator().authenticate(authorization, clientAddress);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Unauthorized) unauthorized(requirement, name, e.what());
    throw;
  }
  const bool noCredentials = s.method == Subject::Method::Anonymous;
  switch (requirement) {
    case Requirement::Open:
    case Requirement::Identify:
      break;
    case Requirement::Registry:
      // Also with anonymousPull: Docker clients learn where to get tokens
      // from this challenge (GET /token then works without credentials).
      if (noCredentials) unauthorized(requirement, name, "authentication required");
      break;
    case Requirement::Catalog:
      if (noCredentials && !anonymousPull)
        unauthorized(requirement, name, "authentication required");
      if (s.tokenAccess && !tokenAllows(*s.tokenAccess, "registry", "catalog", "*"))
        unauthorized(requirement, name, "the token does not grant registry:catalog:*",
                     "insufficient_scope");
      break;
    case Requirement::Admin:
      if (s.anonymous()) unauthorized(requirement, name, "the admin API needs credentials");
      if (!auth_->access().isAdmin(s)) {
        metrics_.add("strata_auth_denied_total");
        throw Error(ErrorKind::Denied, "user '" + s.user + "' holds no admin grant");
      }
      break;
    case Requirement::Pull:
      // The grants of the packages are checked once the name is parsed
      // (authorizePull, from the use case).
      if (noCredentials && !anonymousPull)
        unauthorized(requirement, name, "authentication required to pull '" + name + "'");
      break;
  }
  return Caller{std::move(s), clientAddress};
}

void RegistryAccessGate::authorizePull(const Caller& caller, const ImageRequest& image) {
  if (!authOn()) return;
  // A caller that was not admitted for pulling (an open route) has no right.
  if (!caller.subject)
    unauthorized(Requirement::Pull, image.name,
                 "authentication required to pull '" + image.name + "'");
  const Subject& s = *caller.subject;
  auto denied = auth_->access().deniedPackages(s, image);
  if (!denied.empty()) {
    std::string message = deniedMessage(s, image.source, denied);
    audit({0, 0, "denied", s.user, s.clientAddress, image.name, message});
    // Anonymous callers are told to log in; users are told what is missing.
    if (s.anonymous()) unauthorized(Requirement::Pull, image.name, message);
    metrics_.add("strata_auth_denied_total");
    throw Error(ErrorKind::Denied, message);
  }
  // The live grants allow it, but a token only carries what it was issued
  // for: the client fetches a new one for this scope.
  if (s.tokenAccess && !tokenAllows(*s.tokenAccess, "repository", image.name, "pull"))
    unauthorized(Requirement::Pull, image.name,
                 "the token does not grant pull on '" + image.name + "'", "insufficient_scope");
}

bool RegistryAccessGate::holdsSourceGrant(const Subject& s, const std::string& source) {
  auto grants = auth_->access().grantsFor(s);
  return std::any_of(grants.begin(), grants.end(), [&](const GrantRecord& g) {
    return g.action == "pull" && (g.source == "*" || g.source == source);
  });
}

bool RegistryAccessGate::mayBrowseSource(const Caller& caller, const std::string& source) {
  if (!authOn()) return true;
  return caller.subject && holdsSourceGrant(*caller.subject, source);
}

bool RegistryAccessGate::mayAdminister(const Caller& caller) {
  if (!authOn()) return true;
  return caller.subject && !caller.subject->anonymous() && auth_->access().isAdmin(*caller.subject);
}

void RegistryAccessGate::authorizeSource(const Caller& caller, const std::string& source) {
  if (!authOn()) return;
  if (!caller.subject)
    unauthorized(Requirement::Pull, source,
                 "authentication required to list source '" + source + "'");
  const Subject& s = *caller.subject;
  if (holdsSourceGrant(s, source)) return;
  std::string who = s.anonymous() ? "anonymous" : "user '" + s.user + "'";
  std::string message = "access denied: " + who + " has no pull grant on source '" + source + "'";
  audit({0, 0, "denied", s.user, s.clientAddress, source, message});
  if (s.anonymous()) unauthorized(Requirement::Pull, source, message);
  metrics_.add("strata_auth_denied_total");
  throw Error(ErrorKind::Denied, message);
}

void RegistryAccessGate::checkPolicies(const Caller& caller, const std::string& name,
                                       const sdk::ImageInfo& image,
                                       std::shared_ptr<const sdk::ClosureGraph> closure) {
  if (policies_.empty()) return;
  sdk::Subject who = caller.toSdk();
  auto denial = policies_.check(who, "pull", image, std::move(closure));
  if (!denial) return;
  std::string message = denial->message();
  metrics_.add("strata_policy_denied_total{policy=\"" + denial->policy + "\"}");
  if (caller.subject && authOn())
    audit({0, 0, "denied", who.user, who.clientAddress, name, message});
  throw Error(ErrorKind::Denied, message);
}

bool RegistryAccessGate::hasPolicies() const {
  return !policies_.empty();
}

bool RegistryAccessGate::judgesPulls() const {
  return authOn() || hasPolicies();
}

void RegistryAccessGate::recordPull(const Caller& caller, const std::string& name,
                                    const std::string& reference, const std::string& revision,
                                    const std::string& digest) {
  if (!authOn() || !caller.subject) return;
  bool byDigest = reference.find(':') != std::string::npos;
  audit({0, 0, "pull", caller.subject->user, caller.subject->clientAddress,
         name + (byDigest ? "@" : ":") + reference, "revision " + revision + " digest " + digest});
}

std::function<bool(const ImageRequest&)> RegistryAccessGate::pullFilter(const Caller& caller) {
  if (!authOn()) return {};
  if (!caller.subject) return [](const ImageRequest&) { return false; };
  // Read once for the whole listing.
  auto grants =
      std::make_shared<std::vector<GrantRecord>>(auth_->access().grantsFor(*caller.subject));
  AccessController& access = auth_->access();
  return [grants, &access](const ImageRequest& image) {
    return access.deniedPackages(*grants, image).empty();
  };
}

}  // namespace strata
