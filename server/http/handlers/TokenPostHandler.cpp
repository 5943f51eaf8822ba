#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "util/Error.h"

namespace strata {

// Docker clients try the OAuth2 POST first and fall back to GET on 404.
void handleTokenPost(Exchange&) {
  throw Error(ErrorKind::UnknownName, "use GET /token with basic credentials");
}

}  // namespace strata
