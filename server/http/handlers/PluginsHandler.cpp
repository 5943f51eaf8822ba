#include <Poco/JSON/Array.h>

#include "http/Exchange.h"
#include "http/handlers/Handlers.h"
#include "plugins/PluginInfo.h"

namespace strata {
namespace {

Poco::JSON::Object::Ptr provided(const std::string& kind, const std::string& name) {
  auto p = orderedObject();
  p->set("kind", kind);
  p->set("name", name);
  return p;
}

Poco::JSON::Object::Ptr pluginJson(const std::string& name, const std::string& origin,
                                   const std::string& file, std::uint32_t abiVersion,
                                   const Poco::JSON::Array::Ptr& provides) {
  auto o = orderedObject();
  o->set("name", name);
  o->set("origin", origin);
  o->set("file", file);
  o->set("abiVersion", abiVersion);
  o->set("provides", provides);
  return o;
}

}  // namespace

void handlePlugins(Exchange& x) {
  const PluginListing empty;
  const PluginListing& listing = x.ctx.plugins ? *x.ctx.plugins : empty;
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  // Built-in strategies register like loaded ones; listed as one entry.
  Poco::JSON::Array::Ptr builtIn = new Poco::JSON::Array();
  for (const auto& name : listing.builtInStrategies) builtIn->add(provided("layering", name));
  list->add(pluginJson("built-in", "built-in", "", listing.abiVersion, builtIn));
  for (const auto& plugin : listing.plugins) {
    Poco::JSON::Array::Ptr provides = new Poco::JSON::Array();
    for (const auto& p : plugin.provides) provides->add(provided(p.kind, p.name));
    list->add(pluginJson(plugin.name, "plugin", plugin.file, plugin.abiVersion, provides));
  }
  Poco::JSON::Object body;
  body.set("abiVersion", listing.abiVersion);
  body.set("plugins", list);
  x.sendJson(body);
}

}  // namespace strata
