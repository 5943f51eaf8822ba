#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleAddTeam(Exchange& x) {
  AuthAdmin& admin = adminOf(x);
  std::string name = jsonField(x.readJsonBody(), "name");
  admin.addTeam(actorOf(x), name);
  Poco::JSON::Object o;
  o.set("name", name);
  x.sendJson(o, Poco::Net::HTTPResponse::HTTP_CREATED);
}

}  // namespace strata
