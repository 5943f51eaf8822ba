#include "http/Router.h"

#include <Poco/Net/HTTPServerRequest.h>

#include "http/RouteHandler.h"

namespace strata {
namespace {

bool underRegistryApi(const std::vector<std::string>& segments) {
  return !segments.empty() && segments.front() == "v2";
}

Dispatch refuse(Dispatch d, Access access, ErrorKind kind, std::string message) {
  d.access = access;
  d.refusal = kind;
  d.refusalMessage = std::move(message);
  return d;
}

}  // namespace

Dispatch dispatch(const RouteTable& table, const std::string& method, const std::string& uri) {
  Dispatch d;
  try {
    d.target = parseRequestTarget(uri);
  } catch (const Error& e) {
    return refuse(std::move(d), Access::anyone(), e.kind(), e.what());
  }
  auto match = table.find(method, d.target.segments);
  const bool registry = underRegistryApi(d.target.segments);
  using Result = RouteTable::Match::Result;
  switch (match.result) {
    case Result::Found:
      d.routeName = match.route->name;
      d.handler = match.route->handler;
      d.access = match.route->access;
      d.params = std::move(match.params);
      return d;
    case Result::MethodNotAllowed:
      d.routeName = match.route->name;
      d.params = std::move(match.params);
      // Under /v2/ any caller may learn that a method is not supported (once
      // authenticated, distribution order); elsewhere the route's own rule.
      return refuse(std::move(d), registry ? Access::registry() : match.route->access,
                    ErrorKind::Unsupported, "method " + method + " not supported");
    case Result::NotFound:
      break;
  }
  // The table ends with fallbacks for every path; this is only a safety net.
  return refuse(std::move(d), registry ? Access::registry() : Access::anyone(),
                ErrorKind::UnknownName, "no such endpoint");
}

Poco::Net::HTTPRequestHandler* Router::createRequestHandler(
    const Poco::Net::HTTPServerRequest& request) {
  return new RouteHandler(ctx_, dispatch(table_, request.getMethod(), request.getURI()));
}

}  // namespace strata
