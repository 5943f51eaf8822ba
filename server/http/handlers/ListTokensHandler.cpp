#include <Poco/JSON/Array.h>

#include <ctime>

#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleListTokens(Exchange& x) {
  AuthAdmin& admin = adminOf(x);
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& t : admin.tokens(x.param("user"))) list->add(tokenJson(t, now));
  Poco::JSON::Object body;
  body.set("tokens", list);
  x.sendJson(body);
}

}  // namespace strata
