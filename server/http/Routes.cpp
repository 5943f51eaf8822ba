#include "http/Routes.h"

#include "http/RouteTable.h"
#include "http/handlers/Handlers.h"

namespace strata {
namespace {

const std::vector<std::string> kGet{"GET"}, kPost{"POST"}, kDelete{"DELETE"};
const std::vector<std::string> kWrites{"PUT", "POST", "PATCH", "DELETE"};
const std::vector<std::string> kAny{"*"};

std::vector<Route> table() {
  return {
      // --- registry API (distribution, pull side) ------------------------------------
      {kGet, "/v2", "base", handleBase, Access::registry()},
      {kGet, "/v2/", "base", handleBase, Access::registry()},
      {kGet, "/v2/_catalog", "catalog", handleCatalog, Access::catalog()},
      {kGet, "/v2/{name...}/tags/list", "tags", handleTags, Access::pull("name")},
      // Uploads before blobs: "uploads" would otherwise read as a digest. One
      // segment after it (the upload's id): a longer path is a name holding
      // "blobs/uploads", such as GET /v2/acme/blobs/uploads/manifests/latest.
      {kAny, "/v2/{name...}/blobs/uploads/{uuid}", "push", handlePushRefused, Access::registry()},
      {kAny, "/v2/{name...}/blobs/uploads/", "push", handlePushRefused, Access::registry()},
      {kAny, "/v2/{name...}/blobs/uploads", "push", handlePushRefused, Access::registry()},
      {kGet, "/v2/{name...}/manifests/{reference}", "manifest", handleManifest,
       Access::pull("name")},
      {kWrites, "/v2/{name...}/manifests/{reference}", "push", handlePushRefused,
       Access::registry()},
      {kGet, "/v2/{name...}/blobs/{digest}", "blob", handleBlob, Access::pull("name")},
      {kGet, "/v2/{name...}/referrers/{digest}", "referrers", handleReferrers,
       Access::pull("name")},
      {kWrites, "/v2/{name...}/blobs/{digest}", "push", handlePushRefused, Access::registry()},
      // A reference with a '/' in it is no reference: the handler says why
      // (TAG_INVALID, DIGEST_INVALID) rather than 404.
      {kGet, "/v2/{name...}/manifests/{reference+}", "manifest", handleManifest,
       Access::pull("name")},
      {kGet, "/v2/{name...}/blobs/{digest+}", "blob", handleBlob, Access::pull("name")},

      // --- the web page (embedded; it calls the API below) -------------------------------
      {kGet, "/", "web", handleWebPage, Access::anyone()},
      {kGet, "/ui/{file}", "web", handleWebAsset, Access::anyone()},

      // --- operations ---------------------------------------------------------------------
      {kGet, "/healthz", "healthz", handleHealth, Access::anyone()},
      {kGet, "/readyz", "readyz", handleReady, Access::anyone()},
      {kGet, "/metrics", "metrics", handleMetrics, Access::anyone()},

      // --- token service ------------------------------------------------------------------
      {kGet, "/token", "token", handleToken, Access::anyone()},
      {kPost, "/token", "token", handleTokenPost, Access::anyone()},

      // --- own API --------------------------------------------------------------------------
      {kGet, "/api/v1/sources", "sources", handleSources, Access::identify()},
      {kGet, "/api/v1/me", "me", handleMe, Access::identify()},
      {kGet, "/api/v1/plugins", "plugins", handlePlugins, Access::anyone()},
      // A pin resolves and builds the image: it needs the right to pull it.
      {kGet, "/api/v1/images/{image...}/pin", "pin", handlePin, Access::pull("image", true)},
      // Builds and their logs say what everyone pulls: the admin API's rule.
      {kGet, "/api/v1/builds", "builds", handleListBuilds, Access::admin()},
      {kPost, "/api/v1/builds", "builds", handleStartBuild, Access::admin()},
      {kGet, "/api/v1/builds/{id}", "build", handleBuild, Access::admin()},
      // What a source offers, filtered by what the caller may pull from it.
      {kGet, "/api/v1/sources/{source}/refs", "source-refs", handleSourceRefs,
       Access::pull("source")},
      {kGet, "/api/v1/sources/{source}/packages", "source-packages", handleSourcePackages,
       Access::pull("source")},
      {kGet, "/api/v1/sources/{source}/images", "source-images", handleSourceImages,
       Access::pull("source")},

      // --- admin API (mirrors `strata admin`) ---------------------------------------------
      {kGet, "/api/v1/users", "users", handleListUsers, Access::admin()},
      {kPost, "/api/v1/users", "users", handleAddUser, Access::admin()},
      {kGet, "/api/v1/users/{user}/tokens", "tokens", handleListTokens, Access::admin()},
      {kPost, "/api/v1/users/{user}/tokens", "tokens", handleCreateToken, Access::admin()},
      {kDelete, "/api/v1/users/{user}/tokens/{token}", "token", handleRevokeToken, Access::admin()},
      {kGet, "/api/v1/teams", "teams", handleListTeams, Access::admin()},
      {kPost, "/api/v1/teams", "teams", handleAddTeam, Access::admin()},
      {kPost, "/api/v1/teams/{team}/members", "members", handleAddMember, Access::admin()},
      {kDelete, "/api/v1/teams/{team}/members/{user}", "member", handleRemoveMember,
       Access::admin()},
      {kGet, "/api/v1/grants", "grants", handleListGrants, Access::admin()},
      {kPost, "/api/v1/grants", "grants", handleAddGrant, Access::admin()},
      {kDelete, "/api/v1/grants", "grants", handleRevokeGrant, Access::admin()},
      {kGet, "/api/v1/audit", "audit", handleAudit, Access::admin()},

      // --- paths no route has: 404 (405 for writes under /v2/), after the
      // check of their area ------------------------------------------------------------------
      {kAny, "/v2/{rest*}", "unknown", handleUnknownRegistryPath, Access::registry(), true},
      {kAny, "/api/v1/users/{rest*}", "unknown", handleUnknownPath, Access::admin(), true},
      {kAny, "/api/v1/teams/{rest*}", "unknown", handleUnknownPath, Access::admin(), true},
      {kAny, "/api/v1/grants/{rest*}", "unknown", handleUnknownPath, Access::admin(), true},
      {kAny, "/api/v1/audit/{rest*}", "unknown", handleUnknownPath, Access::admin(), true},
      {kAny, "/{rest*}", "unknown", handleUnknownPath, Access::anyone(), true},
  };
}

}  // namespace

const RouteTable& serverRoutes() {
  static const RouteTable routes(table());
  return routes;
}

}  // namespace strata
