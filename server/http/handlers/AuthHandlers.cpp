#include "http/handlers/AuthHandlers.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <ctime>
#include <istream>
#include <map>
#include <sstream>

#include "auth/AuthService.h"
#include "config/Config.h"
#include "http/Authorization.h"
#include "image/ImageName.h"
#include "util/Error.h"

namespace strata {

using Poco::JSON::Array;
using Poco::JSON::Object;
using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

std::string isoTime(std::int64_t seconds) {
  return Poco::DateTimeFormatter::format(
      Poco::Timestamp::fromEpochTime(static_cast<time_t>(seconds)),
      Poco::DateTimeFormat::ISO8601_FORMAT);
}

AuthService& requireAuth(ServerContext& ctx) {
  if (ctx.auth == nullptr || !ctx.auth->enabled())
    throw Error(ErrorKind::UnknownName,
                "authentication is off (auth.enabled is false): no token service and no admin "
                "API; use `strata admin` on the server");
  return *ctx.auth;
}

/// The actions of `requested` the subject gets on one scope.
Scope grantedScope(AuthService& auth, const Subject& subject, const Scope& requested) {
  Scope granted{requested.type, requested.name, {}};
  if (requested.type == "repository") {
    // Only pulling exists; "*" asks for everything, which is pull.
    if (!requested.allows("pull")) return granted;
    try {
      ImageRequest image = parseImageName(requested.name, auth.config().sources);
      if (auth.access().mayPull(subject, image)) granted.actions.push_back("pull");
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

// --- admin API helpers -------------------------------------------------------

GrantRecord grantFrom(const Object::Ptr& body) {
  return {jsonField(body, "team"), jsonField(body, "source"), jsonField(body, "packageGlob"),
          jsonField(body, "action"), 0};
}

Object::Ptr grantJson(const GrantRecord& g) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("team", g.team);
  o->set("source", g.source);
  o->set("packageGlob", g.packageGlob);
  o->set("action", g.action);
  if (g.createdAt) o->set("createdAt", isoTime(g.createdAt));
  return o;
}

Object::Ptr tokenJson(const ApiTokenRecord& t, std::int64_t now) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("name", t.name);
  o->set("createdAt", isoTime(t.createdAt));
  if (t.expiresAt) o->set("expiresAt", isoTime(*t.expiresAt));
  if (t.revokedAt) o->set("revokedAt", isoTime(*t.revokedAt));
  if (t.lastUsedAt) o->set("lastUsedAt", isoTime(*t.lastUsedAt));
  o->set("active", t.activeAt(now));
  return o;
}

Object::Ptr status(const std::string& what) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("status", what);
  return o;
}

}  // namespace

void TokenHandler::handle(HTTPServerRequest& request, HTTPServerResponse& response) {
  AuthService& auth = requireAuth(ctx_);
  std::vector<std::string> scopeParams;
  std::string service;
  for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) {
    if (key == "scope") scopeParams.push_back(value);
    if (key == "service") service = value;
    // "account" names the user the client thinks it is; the credentials decide.
  }
  if (!service.empty() && service != AuthService::kService)
    throw Error(ErrorKind::BadRequest, "unknown service '" + service.substr(0, 64) +
                                           "': this registry is \"" + AuthService::kService + "\"");
  std::string authorization = request.get("Authorization", "");
  Subject subject;
  try {
    if (authorization.empty()) {
      if (!ctx_.config.auth.anonymousPull)
        throw Error(ErrorKind::Unauthorized, "credentials required: use basic authentication");
      subject = Authenticator::anonymous(clientAddress(request));
    } else if (authorization.size() >= 6 &&
               Poco::icompare(authorization.substr(0, 6), std::string("basic ")) == 0) {
      subject = auth.authenticator().authenticate(authorization, clientAddress(request));
    } else {
      throw Error(ErrorKind::Unauthorized, "the token endpoint takes basic credentials");
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Unauthorized)
      response.set("WWW-Authenticate", "Basic realm=\"strata\"");
    throw;
  }

  std::vector<Scope> granted;
  for (const auto& requested : parseScopes(scopeParams))
    granted.push_back(grantedScope(auth, subject, requested));
  auto issued = auth.tokens()->issue(subject.user, granted, subject.apiTokenId,
                                     static_cast<std::int64_t>(std::time(nullptr)));

  Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("token", issued.jwt);
  body.set("access_token", issued.jwt);
  body.set("expires_in", issued.claims.expiresAt - issued.claims.issuedAt);
  body.set("issued_at", isoTime(issued.claims.issuedAt));
  response.set("Cache-Control", "no-store");
  sendJson(request, response, body);
}

Handler* makeAdminApiHandler(ServerContext& ctx, const std::string& path) {
  constexpr std::string_view kPrefix = "/api/v1/";
  if (path.rfind(kPrefix, 0) != 0) return nullptr;
  std::vector<std::string> segments;
  std::stringstream ss(path.substr(kPrefix.size()));
  for (std::string part; std::getline(ss, part, '/');) segments.push_back(part);
  if (segments.empty()) return nullptr;
  const std::string& first = segments.front();
  if (first != "users" && first != "teams" && first != "grants" && first != "audit") return nullptr;
  return new AdminApiHandler(ctx, std::move(segments));
}

void AdminApiHandler::handle(HTTPServerRequest& request, HTTPServerResponse& response) {
  AuthService& auth = requireAuth(ctx_);
  AuthAdmin& admin = auth.admin();
  const Subject* who = subject();
  Actor actor{who ? who->user : "", clientAddress(request)};
  const std::string& method = request.getMethod();
  const bool get = method == HTTPRequest::HTTP_GET || method == HTTPRequest::HTTP_HEAD;
  const auto& seg = segments_;
  const std::size_t n = seg.size();
  auto send = [&](const Object::Ptr& o, HTTPResponse::HTTPStatus code = HTTPResponse::HTTP_OK) {
    response.setStatusAndReason(code);
    sendJson(request, response, *o);
  };
  auto notAllowed = [&]() {
    throw Error(ErrorKind::Unsupported, "method " + method + " not supported on this resource");
  };
  std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));

  if (seg[0] == "users" && n == 1) {
    if (get) {
      std::map<std::string, std::vector<std::string>> teamsOf;
      for (const auto& t : admin.teams())
        for (const auto& m : t.members) teamsOf[m].push_back(t.name);
      Array::Ptr list = new Array();
      for (const auto& u : admin.users()) {
        Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("name", u.name);
        o->set("createdAt", isoTime(u.createdAt));
        Array::Ptr teams = new Array();
        for (const auto& t : teamsOf[u.name]) teams->add(t);
        o->set("teams", teams);
        list->add(o);
      }
      Object::Ptr body = new Object();
      body->set("users", list);
      return send(body);
    }
    if (method != HTTPRequest::HTTP_POST) notAllowed();
    auto body = readJsonBody(request);
    std::string name = jsonField(body, "name");
    admin.addUser(actor, name, jsonField(body, "password"));
    Object::Ptr o = new Object();
    o->set("name", name);
    return send(o, HTTPResponse::HTTP_CREATED);
  }
  if (seg[0] == "users" && n == 3 && seg[2] == "tokens") {
    if (get) {
      Array::Ptr list = new Array();
      for (const auto& t : admin.tokens(seg[1])) list->add(tokenJson(t, now));
      Object::Ptr body = new Object();
      body->set("tokens", list);
      return send(body);
    }
    if (method != HTTPRequest::HTTP_POST) notAllowed();
    auto body = readJsonBody(request);
    std::optional<int> days;
    if (body->has("expiresDays") && !body->isNull("expiresDays")) {
      auto v = body->get("expiresDays");
      if (!v.isInteger()) throw Error(ErrorKind::BadRequest, "\"expiresDays\" must be an integer");
      long long d = v.convert<long long>();
      if (d < 1 || d > AuthAdmin::kMaxExpiresDays)
        throw Error(ErrorKind::BadRequest, "the expiry must be between 1 and 3650 days");
      days = static_cast<int>(d);
    }
    auto created = admin.createToken(actor, seg[1], jsonField(body, "name"), days);
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("user", seg[1]);
    o->set("name", created.name);
    o->set("secret", created.secret);
    if (created.expiresAt) o->set("expiresAt", isoTime(*created.expiresAt));
    response.set("Cache-Control", "no-store");
    return send(o, HTTPResponse::HTTP_CREATED);
  }
  if (seg[0] == "users" && n == 4 && seg[2] == "tokens") {
    if (method != HTTPRequest::HTTP_DELETE) notAllowed();
    admin.revokeToken(actor, seg[1], seg[3]);
    return send(status("revoked"));
  }
  if (seg[0] == "teams" && n == 1) {
    if (get) {
      Array::Ptr list = new Array();
      for (const auto& t : admin.teams()) {
        Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        o->set("name", t.name);
        o->set("builtin", t.builtin);
        Array::Ptr members = new Array();
        for (const auto& m : t.members) members->add(m);
        o->set("members", members);
        list->add(o);
      }
      Object::Ptr body = new Object();
      body->set("teams", list);
      return send(body);
    }
    if (method != HTTPRequest::HTTP_POST) notAllowed();
    auto body = readJsonBody(request);
    std::string name = jsonField(body, "name");
    admin.addTeam(actor, name);
    Object::Ptr o = new Object();
    o->set("name", name);
    return send(o, HTTPResponse::HTTP_CREATED);
  }
  if (seg[0] == "teams" && n == 3 && seg[2] == "members") {
    if (method != HTTPRequest::HTTP_POST) notAllowed();
    auto body = readJsonBody(request);
    bool added = admin.addMember(actor, seg[1], jsonField(body, "user"));
    return send(status(added ? "added" : "already a member"),
                added ? HTTPResponse::HTTP_CREATED : HTTPResponse::HTTP_OK);
  }
  if (seg[0] == "teams" && n == 4 && seg[2] == "members") {
    if (method != HTTPRequest::HTTP_DELETE) notAllowed();
    admin.removeMember(actor, seg[1], seg[3]);
    return send(status("removed"));
  }
  if (seg[0] == "grants" && n == 1) {
    if (get) {
      Array::Ptr list = new Array();
      for (const auto& g : admin.grants()) list->add(grantJson(g));
      Object::Ptr body = new Object();
      body->set("grants", list);
      return send(body);
    }
    if (method == HTTPRequest::HTTP_POST) {
      bool added = admin.grant(actor, grantFrom(readJsonBody(request)));
      return send(status(added ? "granted" : "already granted"),
                  added ? HTTPResponse::HTTP_CREATED : HTTPResponse::HTTP_OK);
    }
    if (method == HTTPRequest::HTTP_DELETE) {
      // The grant in the query (team, source, packageGlob, action), or in a
      // JSON body for clients that send one with DELETE.
      Object::Ptr fields = new Object();
      for (const auto& [k, v] : Poco::URI(request.getURI()).getQueryParameters()) fields->set(k, v);
      if (fields->size() == 0) fields = readJsonBody(request);
      admin.revoke(actor, grantFrom(fields));
      return send(status("revoked"));
    }
    notAllowed();
  }
  if (seg[0] == "audit" && n == 1) {
    if (!get) notAllowed();
    auto query = parseTarget(request.getURI()).query;
    unsigned limit = 100;
    if (auto it = query.find("limit"); it != query.end())
      if (!Poco::NumberParser::tryParseUnsigned(it->second, limit) || limit == 0 || limit > 10000)
        throw Error(ErrorKind::BadRequest, "limit must be between 1 and 10000");
    std::string kind = query.count("kind") ? query.at("kind") : "";
    Array::Ptr list = new Array();
    for (const auto& a : admin.audit(limit, kind)) {
      Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      o->set("id", a.id);
      o->set("at", isoTime(a.at));
      o->set("kind", a.kind);
      o->set("actor", a.actor);
      o->set("clientAddress", a.clientAddress);
      o->set("target", a.target);
      o->set("detail", a.detail);
      list->add(o);
    }
    Object::Ptr body = new Object();
    body->set("entries", list);
    return send(body);
  }
  throw Error(ErrorKind::UnknownName, "no such endpoint: " + request.getURI().substr(0, 200));
}

}  // namespace strata
