#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>

#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"
#include "util/Error.h"

namespace strata {

void handleAudit(Exchange& x) {
  AuthAdmin& admin = adminOf(x);
  unsigned limit = 100;
  if (auto text = x.queryValue("limit"))
    if (!Poco::NumberParser::tryParseUnsigned(*text, limit) || limit == 0 || limit > 10000)
      throw Error(ErrorKind::BadRequest, "limit must be between 1 and 10000");
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& a : admin.audit(limit, x.queryValue("kind").value_or(""))) {
    auto o = orderedObject();
    o->set("id", a.id);
    o->set("at", isoTime(a.at));
    o->set("kind", a.kind);
    o->set("actor", a.actor);
    o->set("clientAddress", a.clientAddress);
    o->set("target", a.target);
    o->set("detail", a.detail);
    list->add(o);
  }
  Poco::JSON::Object body;
  body.set("entries", list);
  x.sendJson(body);
}

}  // namespace strata
