#include <Poco/String.h>

#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "pull/PullService.h"

namespace strata {

void handleManifest(Exchange& x) {
  ManifestQuery query{x.caller, x.param("name"), x.param("reference"), "", x.head()};
  // A client may send several Accept headers (Docker and others send one per
  // type); together they mean the same as one comma-separated list.
  for (auto it = x.request.find("Accept");
       it != x.request.end() && Poco::icompare(it->first, "Accept") == 0; ++it)
    query.accept += (query.accept.empty() ? "" : ",") + it->second;
  ManifestAnswer answer = x.ctx.pull.manifest(query);
  x.response.set("Docker-Content-Digest", answer.digest);
  x.response.set("ETag", "\"" + answer.digest + "\"");
  x.sendBody(answer.mediaType, answer.body);
}

}  // namespace strata
