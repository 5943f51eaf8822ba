#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleAddGrant(Exchange& x) {
  AuthAdmin& admin = adminOf(x);
  bool added = admin.grant(actorOf(x), grantFrom(x.readJsonBody()));
  x.sendJson(*statusJson(added ? "granted" : "already granted"),
             added ? Poco::Net::HTTPResponse::HTTP_CREATED : Poco::Net::HTTPResponse::HTTP_OK);
}

}  // namespace strata
