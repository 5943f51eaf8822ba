#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleRemoveMember(Exchange& x) {
  adminOf(x).removeMember(actorOf(x), x.param("team"), x.param("user"));
  x.sendJson(*statusJson("removed"));
}

}  // namespace strata
