#include <Poco/JSON/Array.h>

#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleListGrants(Exchange& x) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& g : adminOf(x).grants()) list->add(grantJson(g));
  Poco::JSON::Object body;
  body.set("grants", list);
  x.sendJson(body);
}

}  // namespace strata
