#include "http/handlers/AuthSupport.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include "auth/AuthService.h"
#include "http/Exchange.h"
#include "util/Error.h"

namespace strata {

AuthService& requireAuth(ServerContext& ctx) {
  if (ctx.auth == nullptr || !ctx.auth->enabled())
    throw Error(ErrorKind::UnknownName,
                "authentication is off (auth.enabled is false): no token service and no admin "
                "API; use `strata admin` on the server");
  return *ctx.auth;
}

AuthAdmin& adminOf(Exchange& x) {
  return requireAuth(x.ctx).admin();
}

Actor actorOf(const Exchange& x) {
  return Actor{x.caller.subject ? x.caller.subject->user : "", x.caller.clientAddress};
}

std::string isoTime(std::int64_t seconds) {
  return Poco::DateTimeFormatter::format(
      Poco::Timestamp::fromEpochTime(static_cast<time_t>(seconds)),
      Poco::DateTimeFormat::ISO8601_FORMAT);
}

Poco::JSON::Object::Ptr statusJson(const std::string& what) {
  auto o = orderedObject();
  o->set("status", what);
  return o;
}

Poco::JSON::Object::Ptr grantJson(const GrantRecord& g) {
  auto o = orderedObject();
  o->set("team", g.team);
  o->set("source", g.source);
  o->set("packageGlob", g.packageGlob);
  o->set("action", g.action);
  if (g.createdAt) o->set("createdAt", isoTime(g.createdAt));
  return o;
}

Poco::JSON::Object::Ptr tokenJson(const ApiTokenRecord& t, std::int64_t now) {
  auto o = orderedObject();
  o->set("name", t.name);
  o->set("createdAt", isoTime(t.createdAt));
  if (t.expiresAt) o->set("expiresAt", isoTime(*t.expiresAt));
  if (t.revokedAt) o->set("revokedAt", isoTime(*t.revokedAt));
  if (t.lastUsedAt) o->set("lastUsedAt", isoTime(*t.lastUsedAt));
  o->set("active", t.activeAt(now));
  return o;
}

GrantRecord grantFrom(const Poco::JSON::Object::Ptr& fields) {
  return {jsonField(fields, "team"), jsonField(fields, "source"), jsonField(fields, "packageGlob"),
          jsonField(fields, "action"), 0};
}

}  // namespace strata
