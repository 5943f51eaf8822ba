#include "http/handlers/ApiHandlers.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "build/BuildService.h"
#include "config/Config.h"
#include "http/Authorization.h"
#include "image/ImageName.h"
#include "layers/StrategyRegistry.h"
#include "plugins/PluginHost.h"
#include "sources/GitSource.h"
#include "sources/PackageSource.h"
#include "strata/sdk/abi.h"
#include "util/Error.h"
#include "util/Metrics.h"

namespace strata {

void HealthHandler::handle(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) {
  sendJson(request, response, "{\"status\":\"ok\"}");
}

void MetricsHandler::handle(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  sendBody(request, response, "text/plain; version=0.0.4", ctx_.metrics.render());
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
      o->set("url", redactUrl(c.url));  // never the credentials
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
  sendJson(request, response, body);
}

void PluginsHandler::handle(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  auto provided = [](const std::string& kind, const std::string& name) {
    Poco::JSON::Object::Ptr p = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    p->set("kind", kind);
    p->set("name", name);
    return p;
  };
  // Built-in strategies register like loaded ones; listed as one entry.
  if (ctx_.strategies != nullptr) {
    Poco::JSON::Array::Ptr provides = new Poco::JSON::Array();
    for (const auto& name : ctx_.strategies->names())
      if (ctx_.strategies->get(name).origin == "built-in")
        provides->add(provided("layering", name));
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("name", "built-in");
    o->set("origin", "built-in");
    o->set("file", "");
    o->set("abiVersion", sdk::kAbiVersion);
    o->set("provides", provides);
    list->add(o);
  }
  if (ctx_.plugins != nullptr)
    for (const auto& plugin : ctx_.plugins->plugins()) {
      Poco::JSON::Array::Ptr provides = new Poco::JSON::Array();
      for (const auto& p : plugin.provides) provides->add(provided(p.kind, p.name));
      Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      o->set("name", plugin.name);
      o->set("origin", "plugin");
      o->set("file", plugin.file);
      o->set("abiVersion", plugin.abiVersion);
      o->set("provides", provides);
      list->add(o);
    }
  Poco::JSON::Object body;
  body.set("abiVersion", sdk::kAbiVersion);
  body.set("plugins", list);
  sendJson(request, response, body);
}

}  // namespace strata

namespace strata {

void PinHandler::handle(Poco::Net::HTTPServerRequest& request,
                        Poco::Net::HTTPServerResponse& response) {
  auto colon = reference_.rfind(':');
  std::string name = colon == std::string::npos ? reference_ : reference_.substr(0, colon);
  std::string tag = colon == std::string::npos ? "latest" : reference_.substr(colon + 1);
  if (!isValidTag(tag)) throw Error(ErrorKind::InvalidTag, "invalid tag '" + tag + "'");
  ImageRecord image = ctx_.builds.imageFor(parseImageName(name, ctx_.config.sources), tag,
                                           imagePolicyCheck(ctx_, subject(), request, name));
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("name", name);
  body.set("tag", tag);
  body.set("source", image.source);
  body.set("revision", image.revision);
  body.set("digest", image.ociDigest);
  body.set("dockerDigest", image.dockerDigest);
  body.set("pinnedName", name + ":" + image.revision);
  body.set("byDigest", name + "@" + image.ociDigest);
  sendJson(request, response, body);
}

}  // namespace strata

namespace strata {

namespace {

Poco::JSON::Object::Ptr buildJson(const BuildStatus& b, bool withLog) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", b.id);
  o->set("image", b.image);
  o->set("source", b.source);
  o->set("revision", b.revision);
  o->set("state", b.state);
  o->set("createdAt", static_cast<Poco::Int64>(b.createdAt));
  if (b.finishedAt) o->set("finishedAt", static_cast<Poco::Int64>(b.finishedAt));
  if (!b.ociDigest.empty()) o->set("digest", b.ociDigest);
  if (!b.dockerDigest.empty()) o->set("dockerDigest", b.dockerDigest);
  if (!b.error.empty()) o->set("error", b.error);
  if (withLog) {
    Poco::JSON::Array::Ptr log = new Poco::JSON::Array();
    for (const auto& line : b.log) log->add(line);
    o->set("log", log);
    o->set("logTruncated", b.logTruncated);
  }
  return o;
}

}  // namespace

void BuildsHandler::handle(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) {
  if (request.getMethod() == Poco::Net::HTTPRequest::HTTP_POST) {
    std::string image = jsonField(readJsonBody(request), "image");
    auto colon = image.rfind(':');
    std::string name = colon == std::string::npos ? image : image.substr(0, colon);
    std::string tag = colon == std::string::npos ? "latest" : image.substr(colon + 1);
    if (!isValidTag(tag)) throw Error(ErrorKind::InvalidTag, "invalid tag '" + tag + "'");
    BuildStatus status = ctx_.builds.startBuild(parseImageName(name, ctx_.config.sources), tag);
    bool done = status.state == "cached" || status.state == "succeeded";
    response.setStatusAndReason(done ? Poco::Net::HTTPResponse::HTTP_OK
                                     : Poco::Net::HTTPResponse::HTTP_ACCEPTED);
    response.set("Location", "/api/v1/builds/" + status.id);
    sendJson(request, response, *buildJson(status, false));
    return;
  }
  std::size_t n = 50;
  auto query = parseTarget(request.getURI()).query;
  if (auto it = query.find("n"); it != query.end()) {
    const std::string& text = it->second;
    if (text.empty() || text.size() > 4 ||
        text.find_first_not_of("0123456789") != std::string::npos)
      throw Error(ErrorKind::InvalidPagination, "n must be a number from 0 to 200");
    n = std::min<std::size_t>(std::stoul(text), BuildLog::kMaxBuilds);
  }
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& b : ctx_.builds.log().recent(n)) list->add(buildJson(b, false));
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  body->set("builds", list);
  sendJson(request, response, *body);
}

void BuildHandler::handle(Poco::Net::HTTPServerRequest& request,
                          Poco::Net::HTTPServerResponse& response) {
  auto status = ctx_.builds.log().get(id_);
  if (!status)
    throw Error(ErrorKind::UnknownManifest, "no build '" + id_ + "' (the log keeps the last " +
                                                std::to_string(BuildLog::kMaxBuilds) +
                                                " builds of this process)");
  sendJson(request, response, *buildJson(*status, true));
}

}  // namespace strata
