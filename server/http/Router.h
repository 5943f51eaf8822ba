#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "http/Context.h"

namespace strata {

/// Maps method and path to one small handler object per request. Routing is
/// data (the table in Router.cpp), not a chain of ifs inside handlers.
class Router : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Router(ServerContext& ctx) : ctx_(ctx) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override;

 private:
  ServerContext& ctx_;
};

}  // namespace strata
