#include "http/handlers/ApiHandlers.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "config/Config.h"
#include "sources/PackageSource.h"

namespace strata {

void HealthHandler::handle(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) {
  sendJson(request, response, "{\"status\":\"ok\"}");
}

void SourcesHandler::handle(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto* src : ctx_.sources.all()) {
    const SourceConfig& c = src->config();
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("name", c.name);
    o->set("prefix", c.prefix);
    o->set("type", c.type);
    if (c.type == "path") o->set("path", c.path);
    if (c.type != "path") {
      o->set("url", c.url);
      o->set("defaultRef", c.defaultRef);
      o->set("refreshSeconds", c.refreshSeconds);
    }
    Poco::JSON::Object::Ptr meta = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [name, pkgs] : c.metaPackages) {
      Poco::JSON::Array::Ptr a = new Poco::JSON::Array();
      for (const auto& p : pkgs) a->add(p);
      meta->set(name, a);
    }
    o->set("metaPackages", meta);
    Poco::JSON::Array::Ptr always = new Poco::JSON::Array();
    for (const auto& p : c.alwaysInclude) always->add(p);
    o->set("alwaysInclude", always);
    o->set("layering", c.layering.value_or(ctx_.config.layering.strategy));
    o->set("maxLayers", c.maxLayers.value_or(ctx_.config.layering.maxLayers));
    list->add(o);
  }
  Poco::JSON::Object body;
  body.set("sources", list);
  std::ostringstream out;
  body.stringify(out);
  sendJson(request, response, out.str());
}

}  // namespace strata
