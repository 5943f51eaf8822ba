#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleRevokeGrant(Exchange& x) {
  AuthAdmin& admin = adminOf(x);
  // The grant in the query (team, source, packageGlob, action), or in a JSON
  // body for clients that send one with DELETE.
  Poco::JSON::Object::Ptr fields = new Poco::JSON::Object();
  for (const auto& [k, v] : x.query) fields->set(k, v);
  if (fields->size() == 0) fields = x.readJsonBody();
  admin.revoke(actorOf(x), grantFrom(fields));
  x.sendJson(*statusJson("revoked"));
}

}  // namespace strata
