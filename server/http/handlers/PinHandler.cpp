#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "pull/PullService.h"

namespace strata {

void handlePin(Exchange& x) {
  Pin pin = x.ctx.pull.pin(x.caller, x.param("image"));
  auto body = orderedObject();
  body->set("name", pin.name);
  body->set("tag", pin.tag);
  body->set("source", pin.source);
  body->set("revision", pin.revision);
  body->set("digest", pin.digest);
  body->set("dockerDigest", pin.dockerDigest);
  body->set("pinnedName", pin.name + ":" + pin.revision);
  body->set("byDigest", pin.name + "@" + pin.digest);
  x.sendJson(*body);
}

}  // namespace strata
