#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleAddMember(Exchange& x) {
  AuthAdmin& admin = adminOf(x);
  bool added = admin.addMember(actorOf(x), x.param("team"), jsonField(x.readJsonBody(), "user"));
  x.sendJson(*statusJson(added ? "added" : "already a member"),
             added ? Poco::Net::HTTPResponse::HTTP_CREATED : Poco::Net::HTTPResponse::HTTP_OK);
}

}  // namespace strata
