#pragma once

#include "http/Handler.h"

namespace strata {

/// GET /healthz and /readyz.
class HealthHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
};

/// GET /metrics: Prometheus text format.
class MetricsHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
};

/// GET /api/v1/sources: name, prefix, type and public settings; never credentials.
class SourcesHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
};

/// GET /api/v1/plugins: the loaded plugins (name, file, ABI version, what each
/// provides) and the built-in strategies, as origin "built-in".
class PluginsHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
};

/// GET /api/v1/images/{name}:{tag}/pin: resolves (and builds if needed) the
/// image and answers {"revision","digest","pinnedName","byDigest"}; digest is
/// the OCI manifest's, dockerDigest the Docker schema 2 one's.
class PinHandler : public Handler {
 public:
  PinHandler(ServerContext& ctx, std::string reference)
      : Handler(ctx), reference_(std::move(reference)) {}

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
  bool checksImagePolicies() const override { return true; }

 private:
  std::string reference_;  ///< "name:tag"
};

/// GET /api/v1/builds (recent builds, newest first; `n` up to 200) and POST
/// /api/v1/builds {"image": "name[:tag]"}: builds ahead of a pull, in the
/// background; answers 202 with the build (200 when the image was cached).
class BuildsHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
};

/// GET /api/v1/builds/{id}: one build with its Nix log, live while it runs.
class BuildHandler : public Handler {
 public:
  BuildHandler(ServerContext& ctx, std::string id) : Handler(ctx), id_(std::move(id)) {}

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;

 private:
  std::string id_;
};

}  // namespace strata
