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

}  // namespace strata
