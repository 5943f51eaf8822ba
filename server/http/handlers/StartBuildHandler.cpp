#include "builder/BuildService.h"
#include "config/Config.h"
#include "http/Exchange.h"
#include "http/handlers/BuildJson.h"
#include "http/handlers/Handlers.h"
#include "image/ImageName.h"
#include "util/Error.h"

namespace strata {

void handleStartBuild(Exchange& x) {
  NameAndTag image = splitNameAndTag(jsonField(x.readJsonBody(), "image"));
  if (!isValidTag(image.tag)) throw Error(ErrorKind::InvalidTag, "invalid tag '" + image.tag + "'");
  BuildStatus status =
      x.ctx.builds.startBuild(parseImageName(image.name, x.ctx.config.sources), image.tag);
  bool done = status.state == "cached" || status.state == "succeeded";
  x.response.set("Location", "/api/v1/builds/" + status.id);
  x.sendJson(*buildJson(status, false),
             done ? Poco::Net::HTTPResponse::HTTP_OK : Poco::Net::HTTPResponse::HTTP_ACCEPTED);
}

}  // namespace strata
