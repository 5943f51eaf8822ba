#include <Poco/JSON/Array.h>

#include <map>

#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleListUsers(Exchange& x) {
  AuthAdmin& admin = adminOf(x);
  std::map<std::string, std::vector<std::string>> teamsOf;
  for (const auto& t : admin.teams())
    for (const auto& m : t.members) teamsOf[m].push_back(t.name);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& u : admin.users()) {
    auto o = orderedObject();
    o->set("name", u.name);
    o->set("createdAt", isoTime(u.createdAt));
    Poco::JSON::Array::Ptr teams = new Poco::JSON::Array();
    for (const auto& t : teamsOf[u.name]) teams->add(t);
    o->set("teams", teams);
    list->add(o);
  }
  Poco::JSON::Object body;
  body.set("users", list);
  x.sendJson(body);
}

}  // namespace strata
