#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "util/Metrics.h"

namespace strata {

void handleMetrics(Exchange& x) {
  x.sendBody("text/plain; version=0.0.4", x.ctx.metrics.render());
}

}  // namespace strata
