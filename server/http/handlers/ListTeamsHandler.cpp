#include <Poco/JSON/Array.h>

#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleListTeams(Exchange& x) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& t : adminOf(x).teams()) {
    auto o = orderedObject();
    o->set("name", t.name);
    o->set("builtin", t.builtin);
    Poco::JSON::Array::Ptr members = new Poco::JSON::Array();
    for (const auto& m : t.members) members->add(m);
    o->set("members", members);
    list->add(o);
  }
  Poco::JSON::Object body;
  body.set("teams", list);
  x.sendJson(body);
}

}  // namespace strata
