#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "util/Error.h"

namespace strata {

void handleUnknownRegistryPath(Exchange& x) {
  const std::string& method = x.request.getMethod();
  if (method != "GET" && method != "HEAD")
    throw Error(ErrorKind::Unsupported, "method " + method + " not supported");
  throw Error(ErrorKind::UnknownName, "no such registry endpoint");
}

}  // namespace strata
