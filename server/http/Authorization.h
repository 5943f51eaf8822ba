#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <optional>
#include <string>
#include <vector>

#include "auth/Subject.h"
#include "build/BuildService.h"
#include "http/Context.h"

namespace strata {

/// What a route needs from the caller when auth.enabled is on. The Router
/// attaches one to each handler; without auth nothing is checked.
struct AccessRule {
  enum class Kind {
    Open,      ///< no check (health, metrics, sources, /token itself)
    Registry,  ///< any authenticated caller (GET /v2/, unsupported /v2/ methods)
    Pull,      ///< `pull` on `name` (manifests, blobs, tags, pins)
    Catalog,   ///< any caller allowed to list; the listing is filtered
    Admin,     ///< an `admin` grant (the /api/v1/ admin API)
  };
  Kind kind = Kind::Open;
  std::string name;        ///< Pull: the repository name
  bool auditPull = false;  ///< a served manifest is written to the audit log as a pull

  static AccessRule open() { return {}; }
  static AccessRule registry() { return {Kind::Registry, "", false}; }
  static AccessRule pull(std::string name, bool audit = false) {
    return {Kind::Pull, std::move(name), audit};
  }
  static AccessRule catalog() { return {Kind::Catalog, "", false}; }
  static AccessRule admin() { return {Kind::Admin, "", false}; }
};

/// Authenticates and authorizes a request for `rule`. Returns the subject, or
/// nullopt when auth is disabled or the route is open. Throws
/// Error(Unauthorized) after setting the WWW-Authenticate challenge (Bearer
/// with the scope for registry routes, Basic for the admin API), or
/// Error(Denied) naming the packages not granted (written to the audit log).
std::optional<Subject> authorizeRequest(ServerContext& ctx, const AccessRule& rule,
                                        Poco::Net::HTTPServerRequest& request,
                                        Poco::Net::HTTPServerResponse& response);

/// After the handler answered: writes the pull of a served manifest to the
/// audit log. Never throws (the answer is gone already).
void afterAuthorizedRequest(ServerContext& ctx, const AccessRule& rule, const Subject& subject,
                            Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response);

/// Up to `limit` names served so far, after `last`, sorted, that `subject`
/// may pull: the catalog as the subject may see it.
std::vector<std::string> pullableNames(ServerContext& ctx, const Subject& subject,
                                       const std::string& last, std::size_t limit);

/// The client's IP address without port.
std::string clientAddress(const Poco::Net::HTTPServerRequest& request);

/// The access policies of plugins (ctx.policies) as an ImageCheck for a pull of
/// `name`, to hand to BuildService::imageFor: every policy must allow, before
/// the build and with the closure after it. They run after the core grants,
/// also with auth disabled (then for an anonymous subject with the client's
/// address). A deny throws Error(Denied) with the policy's reason and is
/// written to the audit log when auth is on. Empty when no policy is loaded.
ImageCheck imagePolicyCheck(ServerContext& ctx, const Subject* subject,
                            const Poco::Net::HTTPServerRequest& request, const std::string& name);

/// The same policies for pull routes that never build (blobs, tags/list): the
/// image is what the name says (no revision, no closure). Throws Error(Denied).
void checkNamePolicies(ServerContext& ctx, const AccessRule& rule, const Subject* subject,
                       const Poco::Net::HTTPServerRequest& request);

}  // namespace strata
