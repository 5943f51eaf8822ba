#include <Poco/JSON/Object.h>

#include "http/Context.h"
#include "http/Exchange.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleHealth(Exchange& x) {
  x.sendJson("{\"status\":\"ok\"}");
}

void handleReady(Exchange& x) {
  std::string problem = x.ctx.notReady ? x.ctx.notReady() : std::string();
  if (problem.empty()) {
    x.sendJson("{\"status\":\"ok\"}");
    return;
  }
  // A load balancer sends nothing here until the shared engines answer again.
  Poco::JSON::Object body;
  body.set("status", "unavailable");
  body.set("failing", problem);
  x.sendJson(body, Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
}

}  // namespace strata
