#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/Route.h"

namespace strata {

/// A request target split for routing: the path's segments, each
/// percent-decoded, and the query's parameters in order.
struct RequestTarget {
  std::string path;                   ///< as sent, without query: for messages
  std::vector<std::string> segments;  ///< between the slashes of the path, decoded
  std::vector<std::pair<std::string, std::string>> query;
};

/// Splits a request URI (origin form "/a/b?q" or absolute form
/// "http://host/a/b?q"). Throws Error(BadRequest) when it is malformed.
RequestTarget parseRequestTarget(const std::string& uri);

/// The routes in order; the first that matches path and method wins.
class RouteTable {
 public:
  explicit RouteTable(std::vector<Route> routes);
  ~RouteTable();

  struct Match {
    enum class Result { Found, MethodNotAllowed, NotFound };
    Result result = Result::NotFound;
    /// Found: the route; MethodNotAllowed: the first route with this path.
    const Route* route = nullptr;
    RouteParams params;
  };

  Match find(const std::string& method, const std::vector<std::string>& segments) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled;
  std::vector<Route> routes_;
  std::vector<std::unique_ptr<Compiled>> compiled_;
};

/// Throws std::invalid_argument for a malformed pattern (a table bug).
void checkRoutePattern(const std::string& pattern);

}  // namespace strata
