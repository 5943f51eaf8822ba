#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleRevokeToken(Exchange& x) {
  adminOf(x).revokeToken(actorOf(x), x.param("user"), x.param("token"));
  x.sendJson(*statusJson("revoked"));
}

}  // namespace strata
