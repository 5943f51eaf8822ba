#include <Poco/JSON/Array.h>

#include <algorithm>

#include "builder/BuildService.h"
#include "http/Exchange.h"
#include "http/handlers/BuildJson.h"
#include "http/handlers/Handlers.h"
#include "util/Error.h"

namespace strata {

void handleListBuilds(Exchange& x) {
  std::size_t n = 50;
  if (auto text = x.queryValue("n")) {
    if (text->empty() || text->size() > 4 ||
        text->find_first_not_of("0123456789") != std::string::npos)
      throw Error(ErrorKind::InvalidPagination, "n must be a number from 0 to 200");
    n = std::min<std::size_t>(std::stoul(*text), BuildLog::kMaxBuilds);
  }
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& b : x.ctx.builds.log().recent(n)) list->add(buildJson(b, false));
  auto body = orderedObject();
  body->set("builds", list);
  x.sendJson(*body);
}

}  // namespace strata
