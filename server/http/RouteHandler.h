#pragma once

#include <Poco/Net/HTTPRequestHandler.h>

#include "http/Context.h"
#include "http/Router.h"

namespace strata {

/// Runs one dispatched request, the same way for every route: the headers
/// every answer carries, the route's access check (AccessGate::admit), the
/// handler, and the mapping of any exception to a distribution error.
class RouteHandler : public Poco::Net::HTTPRequestHandler {
 public:
  RouteHandler(ServerContext& ctx, Dispatch dispatch) : ctx_(ctx), dispatch_(std::move(dispatch)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override;

 private:
  void run(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

  ServerContext& ctx_;
  Dispatch dispatch_;
};

}  // namespace strata
