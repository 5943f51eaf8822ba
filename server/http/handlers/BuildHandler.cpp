#include "builder/BuildService.h"
#include "http/Exchange.h"
#include "http/handlers/BuildJson.h"
#include "http/handlers/Handlers.h"
#include "util/Error.h"

namespace strata {

void handleBuild(Exchange& x) {
  const std::string& id = x.param("id");
  auto status = x.ctx.builds.log().get(id);
  if (!status)
    throw Error(ErrorKind::UnknownManifest, "no build '" + id + "' (the log keeps the last " +
                                                std::to_string(BuildLog::kMaxBuilds) +
                                                " builds of this process)");
  x.sendJson(*buildJson(*status, true));
}

}  // namespace strata
