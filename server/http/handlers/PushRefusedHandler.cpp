#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "util/Error.h"

namespace strata {

void handlePushRefused(Exchange&) {
  throw Error(ErrorKind::Unsupported,
              "this registry builds its images: pushing and deleting are not supported");
}

}  // namespace strata
