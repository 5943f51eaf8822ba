#include "http/Authorization.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <ctime>

#include "auth/AuthService.h"
#include "config/Config.h"
#include "http/Handler.h"
#include "http/RegistryPath.h"
#include "image/ImageName.h"
#include "meta/ImageRepository.h"
#include "plugins/PolicyRegistry.h"
#include "util/Error.h"
#include "util/Metrics.h"

namespace strata {
namespace {

using Kind = AccessRule::Kind;

bool tokenAllows(const std::vector<Scope>& access, const std::string& type, const std::string& name,
                 const std::string& action) {
  return std::any_of(access.begin(), access.end(), [&](const Scope& s) {
    return s.type == type && s.name == name && s.allows(action);
  });
}

void writeAudit(ServerContext& ctx, AuditRecord record) {
  try {
    record.at = static_cast<std::int64_t>(std::time(nullptr));
    ctx.auth->repository().audit(record);
  } catch (const std::exception& e) {
    Poco::Logger::get("strata.auth").error("cannot write the audit log: %s", std::string(e.what()));
  }
}

}  // namespace

std::string clientAddress(const Poco::Net::HTTPServerRequest& request) {
  return request.clientAddress().host().toString();
}

std::optional<Subject> authorizeRequest(ServerContext& ctx, const AccessRule& rule,
                                        Poco::Net::HTTPServerRequest& request,
                                        Poco::Net::HTTPServerResponse& response) {
  if (rule.kind == Kind::Open || ctx.auth == nullptr || !ctx.auth->enabled()) return std::nullopt;
  AuthService& auth = *ctx.auth;
  const bool anonymousPull = ctx.config.auth.anonymousPull;

  // The scope a client should ask GET /token for, named in the challenge. Only
  // valid names go into the header.
  std::optional<Scope> scope;
  if (rule.kind == Kind::Pull && isValidRepositoryName(rule.name))
    scope = Scope{"repository", rule.name, {"pull"}};
  if (rule.kind == Kind::Catalog) scope = Scope{"registry", "catalog", {"*"}};
  auto unauthorized = [&](const std::string& message, const std::string& error = "") {
    // The admin API is for scripts with Basic credentials; registry clients
    // follow the Bearer challenge to GET /token.
    response.set("WWW-Authenticate", rule.kind == Kind::Admin
                                         ? std::string("Basic realm=\"strata\"")
                                         : auth.challenge(scope, error));
    ctx.metrics.add("strata_auth_unauthorized_total");
    throw Error(ErrorKind::Unauthorized, message);
  };

  Subject s;
  try {
    s = auth.authenticator().authenticate(request.get("Authorization", ""), clientAddress(request));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Unauthorized) unauthorized(e.what());
    throw;
  }
  const bool noCredentials = s.method == Subject::Method::Anonymous;

  switch (rule.kind) {
    case Kind::Open:
      break;
    case Kind::Registry:
      // Also with anonymousPull: Docker clients learn where to get tokens
      // from this challenge (GET /token then works without credentials).
      if (noCredentials) unauthorized("authentication required");
      break;
    case Kind::Catalog:
      if (noCredentials && !anonymousPull) unauthorized("authentication required");
      if (s.tokenAccess && !tokenAllows(*s.tokenAccess, "registry", "catalog", "*"))
        unauthorized("the token does not grant registry:catalog:*", "insufficient_scope");
      break;
    case Kind::Admin:
      if (s.anonymous()) unauthorized("the admin API needs credentials");
      if (!auth.access().isAdmin(s)) {
        ctx.metrics.add("strata_auth_denied_total");
        throw Error(ErrorKind::Denied, "user '" + s.user + "' holds no admin grant");
      }
      break;
    case Kind::Pull: {
      if (noCredentials && !anonymousPull)
        unauthorized("authentication required to pull '" + rule.name + "'");
      ImageRequest image = parseImageName(rule.name, ctx.config.sources);
      auto denied = auth.access().deniedPackages(s, image);
      if (!denied.empty()) {
        std::string message = deniedMessage(s, image.source, denied);
        writeAudit(ctx, {0, 0, "denied", s.user, s.clientAddress, rule.name, message});
        // Anonymous callers are told to log in; users are told what is missing.
        if (s.anonymous()) unauthorized(message);
        ctx.metrics.add("strata_auth_denied_total");
        throw Error(ErrorKind::Denied, message);
      }
      // The live grants allow it, but a token only carries what it was
      // issued for: the client fetches a new one for this scope.
      if (s.tokenAccess && !tokenAllows(*s.tokenAccess, "repository", rule.name, "pull"))
        unauthorized("the token does not grant pull on '" + rule.name + "'", "insufficient_scope");
      break;
    }
  }
  return s;
}

ImageCheck imagePolicyCheck(ServerContext& ctx, const Subject* subject,
                            const Poco::Net::HTTPServerRequest& request, const std::string& name) {
  if (ctx.policies == nullptr || ctx.policies->empty()) return {};
  sdk::Subject who = subject ? subject->toSdk() : sdk::Subject{"", {}, clientAddress(request)};
  bool audit = subject != nullptr && ctx.auth != nullptr;
  return [&ctx, who = std::move(who), audit, name](const sdk::ImageInfo& image) {
    auto denial = ctx.policies->check(who, "pull", image);
    if (!denial) return;
    std::string message = denial->message();
    ctx.metrics.add("strata_policy_denied_total{policy=\"" + denial->policy + "\"}");
    if (audit) writeAudit(ctx, {0, 0, "denied", who.user, who.clientAddress, name, message});
    throw Error(ErrorKind::Denied, message);
  };
}

void checkNamePolicies(ServerContext& ctx, const AccessRule& rule, const Subject* subject,
                       const Poco::Net::HTTPServerRequest& request) {
  if (rule.kind != Kind::Pull || ctx.policies == nullptr || ctx.policies->empty()) return;
  ImageRequest image;
  try {
    image = parseImageName(rule.name, ctx.config.sources);
  } catch (const Error&) {
    return;  // not an image name: the handler answers that
  }
  imagePolicyCheck(ctx, subject, request, rule.name)(
      sdk::ImageInfo{image.source, image.packages, "", image.arch, nullptr});
}

std::vector<std::string> pullableNames(ServerContext& ctx, const Subject& subject,
                                       const std::string& last, std::size_t limit) {
  constexpr std::size_t kBatch = 500;
  auto grants = ctx.auth->access().grantsFor(subject);  // read once for the whole listing
  std::vector<std::string> out;
  std::string after = last;
  while (out.size() < limit) {
    auto batch = ctx.images.names(after, kBatch);
    for (const auto& name : batch) {
      try {
        if (ctx.auth->access()
                .deniedPackages(grants, parseImageName(name, ctx.config.sources))
                .empty())
          out.push_back(name);
      } catch (const Error&) {
        // A name no configured source serves any more: nobody may pull it.
      }
      if (out.size() == limit) break;
    }
    if (batch.size() < kBatch) break;
    after = batch.back();
  }
  return out;
}

void afterAuthorizedRequest(ServerContext& ctx, const AccessRule& rule, const Subject& subject,
                            Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  if (!rule.auditPull || ctx.auth == nullptr) return;
  if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_GET ||
      response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
    return;
  try {
    std::string digest = response.get("Docker-Content-Digest", "");
    std::string reference = parseRegistryPath(parseTarget(request.getURI()).path).reference;
    std::string revision;
    if (auto image = ctx.images.findByManifestDigest(rule.name, digest)) revision = image->revision;
    bool byDigest = reference.find(':') != std::string::npos;
    writeAudit(ctx, {0, 0, "pull", subject.user, subject.clientAddress,
                     rule.name + (byDigest ? "@" : ":") + reference,
                     "revision " + revision + " digest " + digest});
  } catch (const std::exception& e) {
    Poco::Logger::get("strata.auth").error("cannot audit a pull: %s", std::string(e.what()));
  }
}

}  // namespace strata
