#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <string>

#include "http/Context.h"
#include "http/RouteTable.h"
#include "util/Error.h"

namespace strata {

/// Where a request goes: a route's handler, or a refusal (unknown path,
/// method not allowed, malformed URI) that still passes the access check of
/// its place first (distribution order: 401 before 405 or 404 under /v2/).
struct Dispatch {
  const char* routeName = "none";
  HandlerFn handler = nullptr;  ///< null: answer `refusal`
  Access access;
  RouteParams params;
  RequestTarget target;
  ErrorKind refusal = ErrorKind::Internal;
  std::string refusalMessage;
};

/// Finds the route for a method and request URI in `table`. Never throws.
Dispatch dispatch(const RouteTable& table, const std::string& method, const std::string& uri);

/// Poco's handler factory: one RouteHandler per request, from the table.
class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Router(ServerContext& ctx, const RouteTable& table) : ctx_(ctx), table_(table) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  ServerContext& ctx_;
  const RouteTable& table_;
};

}  // namespace strata
