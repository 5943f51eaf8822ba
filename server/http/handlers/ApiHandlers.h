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

/// GET /api/v1/sources: name, prefix, type and public settings; never credentials.
class SourcesHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
};

}  // namespace strata
