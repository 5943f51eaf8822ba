#include "http/Router.h"

#include <Poco/Net/HTTPServerRequest.h>

#include "http/Handler.h"
#include "http/RegistryPath.h"
#include "http/handlers/ApiHandlers.h"
#include "http/handlers/RegistryHandlers.h"
#include "util/Error.h"

namespace strata {

using Poco::Net::HTTPRequest;

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
    if (rp.kind == K::Upload || ((rp.kind == K::Manifest || rp.kind == K::Blob) && !read))
      return new ErrorHandler(ctx_, ErrorKind::Unsupported,
                              "this registry builds its images: pushing and deleting are not "
                              "supported");
    if (!read)
      return new ErrorHandler(ctx_, ErrorKind::Unsupported, "method " + method + " not supported");
    switch (rp.kind) {
      case K::Base:
        return new BaseHandler(ctx_);
      case K::Catalog:
        return new CatalogHandler(ctx_);
      case K::Tags:
        return new TagsHandler(ctx_, rp.name);
      case K::Manifest:
        return new ManifestHandler(ctx_, rp.name, rp.reference);
      case K::Blob:
        return new BlobHandler(ctx_, rp.name, rp.reference);
      default:
        return new ErrorHandler(ctx_, ErrorKind::UnknownName, "no such registry endpoint");
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
  };
  constexpr std::string_view kImages = "/api/v1/images/", kPin = "/pin";
  if (path.size() > kImages.size() + kPin.size() && path.rfind(kImages, 0) == 0 &&
      path.compare(path.size() - kPin.size(), kPin.size(), kPin) == 0) {
    if (!read)
      return new ErrorHandler(ctx_, ErrorKind::Unsupported, "method " + method + " not supported");
    return new PinHandler(ctx_,
                          path.substr(kImages.size(), path.size() - kImages.size() - kPin.size()));
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
