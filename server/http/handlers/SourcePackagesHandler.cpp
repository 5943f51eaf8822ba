#include <Poco/JSON/Array.h>

#include "catalog/SourceBrowser.h"
#include "http/Exchange.h"
#include "http/Paging.h"
#include "http/handlers/BrowserSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleSourcePackages(Exchange& x) {
  PackageQuery query;
  query.caller = x.caller;
  query.source = x.param("source");
  query.ref = x.queryValue("ref").value_or("latest");
  query.q = x.queryValue("q").value_or("");
  Page page = parsePage(x.query);
  query.n = page.limited ? page.n : SourceBrowser::kDefaultResults;
  PackagesAnswer answer = browserOf(x).packages(query);
  Poco::JSON::Array::Ptr packages = new Poco::JSON::Array();
  for (const auto& p : answer.packages) {
    auto o = orderedObject();
    o->set("attr", p.attr);
    o->set("name", p.name);
    o->set("version", p.version);
    o->set("description", p.description);
    packages->add(o);
  }
  auto body = orderedObject();
  body->set("source", answer.source);
  body->set("ref", answer.ref);
  body->set("revision", answer.revision);
  body->set("query", answer.query);
  body->set("packages", packages);
  body->set("truncated", answer.truncated);
  x.sendJson(*body);
}

}  // namespace strata
