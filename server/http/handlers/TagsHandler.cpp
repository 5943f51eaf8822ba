#include <Poco/JSON/Array.h>

#include "http/Exchange.h"
#include "http/Paging.h"
#include "http/handlers/Handlers.h"
#include "pull/PullService.h"

namespace strata {

void handleTags(Exchange& x) {
  const std::string& name = x.param("name");
  Page page = parsePage(x.query);
  Listing tags = x.ctx.pull.tags(x.caller, name, page.last, page.n);
  auto body = orderedObject();
  body->set("name", name);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& t : tags.items) list->add(t);
  body->set("tags", list);
  if (tags.more && page.limited && !tags.items.empty())
    setNextLink(x.response, "/v2/" + name + "/tags/list", page.n, tags.items.back());
  x.sendJson(*body);
}

}  // namespace strata
