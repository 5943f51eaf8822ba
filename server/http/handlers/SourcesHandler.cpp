#include <Poco/JSON/Array.h>

#include "auth/AccessGate.h"
#include "catalog/SourceCatalog.h"
#include "config/Config.h"
#include "http/Exchange.h"
#include "http/handlers/Handlers.h"

namespace strata {
namespace {

Poco::JSON::Array::Ptr array(const std::vector<std::string>& items) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array();
  for (const auto& i : items) a->add(i);
  return a;
}

}  // namespace

void handleSources(Exchange& x) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& s : x.ctx.sources.sources()) {
    auto o = orderedObject();
    o->set("name", s.name);
    o->set("prefix", s.prefix);
    o->set("type", s.type);
    if (s.type == "path") {
      o->set("path", s.path);
    } else {
      o->set("url", s.url);  // credentials already redacted
      o->set("defaultRef", s.defaultRef);
      o->set("refreshSeconds", s.refreshSeconds);
    }
    auto meta = orderedObject();
    for (const auto& [name, pkgs] : s.metaPackages) meta->set(name, array(pkgs));
    o->set("metaPackages", meta);
    o->set("alwaysInclude", array(s.alwaysInclude));
    o->set("layering", s.layering);
    o->set("maxLayers", s.maxLayers);
    o->set("imageFormat", s.imageFormat);
    o->set("platforms", array(s.platforms));
    // Whether the caller (anonymous, or the credentials sent) may browse
    // and pull from it: a page lists only those.
    o->set("mayPull", x.ctx.access.mayBrowseSource(x.caller, s.name));
    list->add(o);
  }
  Poco::JSON::Object body;
  body.set("sources", list);
  // Which Nix evaluates them: a revision may need a newer one (nix.binDir).
  Poco::JSON::Object::Ptr nix = new Poco::JSON::Object;
  nix->set("version", x.ctx.nixVersion);
  nix->set("daemon", x.ctx.config.nix.daemon);
  body.set("nix", nix);
  x.sendJson(body);
}

void handleMe(Exchange& x) {
  auto body = orderedObject();
  auto auth = orderedObject();
  auth->set("enabled", x.ctx.access.authEnabled());
  auth->set("anonymousPull", x.ctx.config.auth.anonymousPull);
  body->set("auth", auth);
  const auto& subject = x.caller.subject;
  if (subject && !subject->anonymous())
    body->set("user", subject->user);
  else
    body->set("user", Poco::Dynamic::Var());
  body->set("admin", x.ctx.access.mayAdminister(x.caller));
  x.sendJson(*body);
}

}  // namespace strata
