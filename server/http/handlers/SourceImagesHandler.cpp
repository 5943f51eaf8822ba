#include <Poco/JSON/Array.h>

#include "catalog/SourceBrowser.h"
#include "http/Exchange.h"
#include "http/handlers/BrowserSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {
namespace {

using Poco::JSON::Array;

Array::Ptr strings(const std::vector<std::string>& items) {
  Array::Ptr a = new Array();
  for (const auto& i : items) a->add(i);
  return a;
}

Poco::JSON::Object::Ptr configJson(const ContainerConfig& c) {
  auto o = orderedObject();
  if (c.entrypoint) o->set("Entrypoint", strings(*c.entrypoint));
  if (c.cmd) o->set("Cmd", strings(*c.cmd));
  if (!c.env.empty()) o->set("Env", strings(c.env));
  if (!c.workingDir.empty()) o->set("WorkingDir", c.workingDir);
  if (!c.user.empty()) o->set("User", c.user);
  if (!c.exposedPorts.empty()) o->set("ExposedPorts", strings(c.exposedPorts));
  if (!c.labels.empty()) {
    auto labels = orderedObject();
    for (const auto& [k, v] : c.labels) labels->set(k, v);
    o->set("Labels", labels);
  }
  if (!c.volumes.empty()) o->set("Volumes", strings(c.volumes));
  if (!c.stopSignal.empty()) o->set("StopSignal", c.stopSignal);
  return o;
}

}  // namespace

void handleSourceImages(Exchange& x) {
  ImagesAnswer answer =
      browserOf(x).images(x.caller, x.param("source"), x.queryValue("ref").value_or("latest"));
  Array::Ptr images = new Array();
  for (std::size_t i = 0; i < answer.images.size(); ++i) {
    const ImageDeclaration& d = answer.images[i];
    auto o = orderedObject();
    o->set("name", d.name);
    if (!answer.pullNames[i].empty()) o->set("pull", answer.pullNames[i]);
    Array::Ptr contents = new Array();
    for (const auto& p : d.contents) {
      auto c = orderedObject();
      c->set("name", p.name);
      c->set("description", p.meta.description);
      contents->add(c);
    }
    o->set("contents", contents);
    o->set("config", configJson(d.config));
    if (d.user) {
      auto u = orderedObject();
      u->set("name", d.user->name);
      u->set("uid", d.user->uid);
      u->set("gid", d.user->gid);
      o->set("user", u);
    }
    images->add(o);
  }
  Array::Ptr invalid = new Array();
  for (const auto& [name, error] : answer.invalid) {
    auto o = orderedObject();
    o->set("name", name);
    o->set("error", error);
    invalid->add(o);
  }
  auto body = orderedObject();
  body->set("source", answer.source);
  body->set("ref", answer.ref);
  body->set("revision", answer.revision);
  body->set("images", images);
  body->set("invalid", invalid);
  x.sendJson(*body);
}

}  // namespace strata
