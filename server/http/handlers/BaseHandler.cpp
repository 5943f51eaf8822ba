#include "http/Exchange.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleBase(Exchange& x) {
  x.sendJson("{}");
}

}  // namespace strata
