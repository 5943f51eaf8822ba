#include "http/Exchange.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleHealth(Exchange& x) {
  x.sendJson("{\"status\":\"ok\"}");
}

}  // namespace strata
