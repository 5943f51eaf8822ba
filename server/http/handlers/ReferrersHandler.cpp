#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "image/Referrers.h"
#include "pull/PullService.h"

namespace strata {

void handleReferrers(Exchange& x) {
  ReferrersQuery query{x.caller, x.param("name"), x.param("digest"),
                       x.queryValue("artifactType").value_or("")};
  ReferrersAnswer answer = x.ctx.pull.referrers(query);
  if (answer.filtered) x.response.set("OCI-Filters-Applied", "artifactType");
  x.sendBody(media::kOciIndex, buildReferrersIndex(answer.referrers));
}

}  // namespace strata
