#include <Poco/JSON/Array.h>

#include "catalog/SourceBrowser.h"
#include "http/Exchange.h"
#include "http/handlers/BrowserSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleSourceRefs(Exchange& x) {
  RefsAnswer answer = browserOf(x).refs(x.caller, x.param("source"));
  Poco::JSON::Array::Ptr refs = new Poco::JSON::Array();
  for (const auto& r : answer.refs) {
    auto o = orderedObject();
    o->set("name", r.name);
    o->set("kind", r.kind);
    // A git source's refs name commits; a folder's, content hashes.
    o->set(answer.type == "path" ? "revision" : "commit", r.revision);
    o->set("tag", r.tag);
    refs->add(o);
  }
  auto body = orderedObject();
  body->set("source", answer.source);
  body->set("refs", refs);
  x.sendJson(*body);
}

}  // namespace strata
