#pragma once

// Every route's handler (http/Routes.cpp lists them in the route table); one
// file each. A handler turns the exchange into a call of a use case and the
// result back into a response; errors are thrown as strata::Error.

namespace strata {

struct Exchange;

// Registry API (distribution, pull side)
void handleBase(Exchange& x);         ///< GET /v2/
void handleCatalog(Exchange& x);      ///< GET /v2/_catalog?n=&last=
void handleTags(Exchange& x);         ///< GET /v2/<name>/tags/list?n=&last=
void handleManifest(Exchange& x);     ///< GET|HEAD /v2/<name>/manifests/<reference>
void handleBlob(Exchange& x);         ///< GET|HEAD /v2/<name>/blobs/<digest>, with Range
void handleReferrers(Exchange& x);    ///< GET /v2/<name>/referrers/<digest>?artifactType=
void handlePushRefused(Exchange& x);  ///< pushing and deleting: 405

// Paths no route has
void handleUnknownRegistryPath(Exchange& x);  ///< under /v2/: 404, or 405 for a write
void handleUnknownPath(Exchange& x);          ///< elsewhere: 404

// Operations
void handleHealth(Exchange& x);   ///< GET /healthz: the process answers
void handleReady(Exchange& x);    ///< GET /readyz: 503 while the database or blob store fails
void handleMetrics(Exchange& x);  ///< GET /metrics

// Own API
void handleSources(Exchange& x);     ///< GET /api/v1/sources
void handlePlugins(Exchange& x);     ///< GET /api/v1/plugins
void handlePin(Exchange& x);         ///< GET /api/v1/images/{name}:{tag}/pin
void handleListBuilds(Exchange& x);  ///< GET /api/v1/builds?n=
void handleStartBuild(Exchange& x);  ///< POST /api/v1/builds {"image"}
void handleBuild(Exchange& x);       ///< GET /api/v1/builds/{id}

// Own API: finding what to pull (catalog/SourceBrowser)
void handleSourceRefs(Exchange& x);      ///< GET /api/v1/sources/{source}/refs
void handleSourcePackages(Exchange& x);  ///< GET /api/v1/sources/{source}/packages?q=&ref=&n=
void handleSourceImages(Exchange& x);    ///< GET /api/v1/sources/{source}/images?ref=
void handleMe(Exchange& x);              ///< GET /api/v1/me: auth on, who is asking, admin
void handleWebPage(Exchange& x);         ///< GET /: the web page (server/web/)
void handleWebAsset(Exchange& x);        ///< GET /ui/{file}: its script and style sheet

// Token service
void handleToken(Exchange& x);      ///< GET /token?service=&scope=
void handleTokenPost(Exchange& x);  ///< POST /token: 404, clients fall back to GET

// Admin API
void handleListUsers(Exchange& x);     ///< GET /api/v1/users
void handleAddUser(Exchange& x);       ///< POST /api/v1/users {"name","password"}
void handleListTokens(Exchange& x);    ///< GET /api/v1/users/{user}/tokens
void handleCreateToken(Exchange& x);   ///< POST /api/v1/users/{user}/tokens {"name","expiresDays"}
void handleRevokeToken(Exchange& x);   ///< DELETE /api/v1/users/{user}/tokens/{token}
void handleListTeams(Exchange& x);     ///< GET /api/v1/teams
void handleAddTeam(Exchange& x);       ///< POST /api/v1/teams {"name"}
void handleAddMember(Exchange& x);     ///< POST /api/v1/teams/{team}/members {"user"}
void handleRemoveMember(Exchange& x);  ///< DELETE /api/v1/teams/{team}/members/{user}
void handleListGrants(Exchange& x);    ///< GET /api/v1/grants
void handleAddGrant(Exchange& x);  ///< POST /api/v1/grants {"team","source","packageGlob","action"}
void handleRevokeGrant(Exchange& x);  ///< DELETE /api/v1/grants?team=&source=&packageGlob=&action=
void handleAudit(Exchange& x);        ///< GET /api/v1/audit?limit=&kind=

}  // namespace strata
