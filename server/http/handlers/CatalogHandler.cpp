#include <Poco/JSON/Array.h>

#include "http/Exchange.h"
#include "http/Paging.h"
#include "http/handlers/Handlers.h"
#include "pull/PullService.h"

namespace strata {

void handleCatalog(Exchange& x) {
  Page page = parsePage(x.query);
  Listing names = x.ctx.pull.catalog(x.caller, page.last, page.n);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& n : names.items) list->add(n);
  Poco::JSON::Object body;
  body.set("repositories", list);
  // n=0: an empty page, and no last element to continue from.
  if (names.more && page.limited && !names.items.empty())
    setNextLink(x.response, "/v2/_catalog", page.n, names.items.back());
  x.sendJson(body);
}

}  // namespace strata
