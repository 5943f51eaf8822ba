#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleAddUser(Exchange& x) {
  AuthAdmin& admin = adminOf(x);
  auto body = x.readJsonBody();
  std::string name = jsonField(body, "name");
  admin.addUser(actorOf(x), name, jsonField(body, "password"));
  Poco::JSON::Object o;
  o.set("name", name);
  x.sendJson(o, Poco::Net::HTTPResponse::HTTP_CREATED);
}

}  // namespace strata
