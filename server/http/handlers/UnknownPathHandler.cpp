#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "util/Error.h"

namespace strata {

void handleUnknownPath(Exchange& x) {
  std::string path = "/" + x.param("rest");
  throw Error(ErrorKind::UnknownName, "no such endpoint: " + path.substr(0, 200));
}

}  // namespace strata
