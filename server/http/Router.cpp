#include "http/Router.h"

#include <Poco/Net/HTTPServerRequest.h>

#include "http/Handler.h"
#include "http/RegistryPath.h"
#include "http/handlers/ApiHandlers.h"
#include "http/handlers/AuthHandlers.h"
#include "http/handlers/RegistryHandlers.h"
#include "util/Error.h"

namespace strata {

using Poco::Net::HTTPRequest;

namespace {

/// Attaches what the route needs from its caller when auth is on.
Handler* guarded(Handler* handler, AccessRule rule) {
  handler->setAccessRule(std::move(rule));
  return handler;
}

}  // namespace

Poco::Net::HTTPRequestHandler* Router::createRequestHandler(
    const Poco::Net::HTTPServerRequest& request) {
  const std::string& method = request.getMethod();
  bool read = method == HTTPRequest::HTTP_GET || method == HTTPRequest::HTTP_HEAD;
  std::string path;
  try {
    path = parseTarget(request.getURI()).path;
  } catch (const std::exception&) {
    return new ErrorHandler(ctx_, ErrorKind::BadRequest, "malformed request URI");
  }

  if (path == "/v2" || path.rfind("/v2/", 0) == 0) {
    RegistryPath rp = parseRegistryPath(path);
    using K = RegistryPath::Kind;
    // With auth on, every /v2/ answer needs a caller (distribution order:
    // 401 before 405 or 404).
    if (rp.kind == K::Upload || ((rp.kind == K::Manifest || rp.kind == K::Blob) && !read))
      return guarded(new ErrorHandler(ctx_, ErrorKind::Unsupported,
                                      "this registry builds its images: pushing and deleting are "
                                      "not supported"),
                     AccessRule::registry());
    if (!read)
      return guarded(
          new ErrorHandler(ctx_, ErrorKind::Unsupported, "method " + method + " not supported"),
          AccessRule::registry());
    switch (rp.kind) {
      case K::Base:
        return guarded(new BaseHandler(ctx_), AccessRule::registry());
      case K::Catalog:
        return guarded(new CatalogHandler(ctx_), AccessRule::catalog());
      case K::Tags:
        return guarded(new TagsHandler(ctx_, rp.name), AccessRule::pull(rp.name));
      case K::Manifest:
        return guarded(new ManifestHandler(ctx_, rp.name, rp.reference),
                       AccessRule::pull(rp.name, true));
      case K::Blob:
        return guarded(new BlobHandler(ctx_, rp.name, rp.reference), AccessRule::pull(rp.name));
      default:
        return guarded(new ErrorHandler(ctx_, ErrorKind::UnknownName, "no such registry endpoint"),
                       AccessRule::registry());
    }
  }

  struct Route {
    const char* method;
    const char* path;
    Poco::Net::HTTPRequestHandler* (*make)(ServerContext&);
  };
  static const Route kRoutes[] = {
      {"GET", "/healthz",
       [](ServerContext& c) -> Poco::Net::HTTPRequestHandler* { return new HealthHandler(c); }},
      {"GET", "/readyz",
       [](ServerContext& c) -> Poco::Net::HTTPRequestHandler* { return new HealthHandler(c); }},
      {"GET", "/metrics",
       [](ServerContext& c) -> Poco::Net::HTTPRequestHandler* { return new MetricsHandler(c); }},
      {"GET", "/api/v1/sources",
       [](ServerContext& c) -> Poco::Net::HTTPRequestHandler* { return new SourcesHandler(c); }},
      {"GET", "/api/v1/plugins",
       [](ServerContext& c) -> Poco::Net::HTTPRequestHandler* { return new PluginsHandler(c); }},
      {"GET", "/token",
       [](ServerContext& c) -> Poco::Net::HTTPRequestHandler* { return new TokenHandler(c); }},
  };
  // Docker clients try the OAuth2 POST first and fall back to GET on 404.
  if (path == "/token" && method == HTTPRequest::HTTP_POST)
    return new ErrorHandler(ctx_, ErrorKind::UnknownName, "use GET /token with basic credentials");
  if (Handler* admin = makeAdminApiHandler(ctx_, path)) return guarded(admin, AccessRule::admin());
  // Builds and their logs say what everyone pulls: the admin API's rule.
  if (path == "/api/v1/builds") {
    if (!read && method != HTTPRequest::HTTP_POST)
      return new ErrorHandler(ctx_, ErrorKind::Unsupported, "method " + method + " not supported");
    return guarded(new BuildsHandler(ctx_), AccessRule::admin());
  }
  constexpr std::string_view kBuilds = "/api/v1/builds/";
  if (path.size() > kBuilds.size() && path.rfind(kBuilds, 0) == 0) {
    if (!read)
      return new ErrorHandler(ctx_, ErrorKind::Unsupported, "method " + method + " not supported");
    return guarded(new BuildHandler(ctx_, path.substr(kBuilds.size())), AccessRule::admin());
  }
  constexpr std::string_view kImages = "/api/v1/images/", kPin = "/pin";
  if (path.size() > kImages.size() + kPin.size() && path.rfind(kImages, 0) == 0 &&
      path.compare(path.size() - kPin.size(), kPin.size(), kPin) == 0) {
    if (!read)
      return new ErrorHandler(ctx_, ErrorKind::Unsupported, "method " + method + " not supported");
    std::string reference = path.substr(kImages.size(), path.size() - kImages.size() - kPin.size());
    // A pin resolves and builds the image: it needs the right to pull it.
    std::string name = reference.substr(0, reference.rfind(':'));
    return guarded(new PinHandler(ctx_, reference), AccessRule::pull(name));
  }
  for (const auto& r : kRoutes)
    if (path == r.path) {
      if (method == r.method ||
          (method == HTTPRequest::HTTP_HEAD && std::string(r.method) == "GET"))
        return r.make(ctx_);
      return new ErrorHandler(ctx_, ErrorKind::Unsupported, "method " + method + " not supported");
    }
  return new ErrorHandler(ctx_, ErrorKind::UnknownName, "no such endpoint: " + path);
}

}  // namespace strata
