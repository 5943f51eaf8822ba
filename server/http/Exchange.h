#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/Caller.h"
#include "http/Context.h"
#include "http/Route.h"

namespace strata {

/// One request as a handler sees it: the request and response, the route's
/// parameters, the query, the caller the route admitted, and the server's
/// components. Handlers translate it into a use case call and back.
struct Exchange {
  ServerContext& ctx;
  Poco::Net::HTTPServerRequest& request;
  Poco::Net::HTTPServerResponse& response;
  const RouteParams& params;
  const std::vector<std::pair<std::string, std::string>>& query;
  const Caller& caller;

  bool head() const { return request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD; }
  /// A route parameter (the route's pattern guarantees it).
  const std::string& param(const std::string& name) const { return params.at(name); }
  /// The first value of a query parameter.
  std::optional<std::string> queryValue(const std::string& key) const;
  /// Every value of a query parameter, in order.
  std::vector<std::string> queryValues(const std::string& key) const;

  /// Sends `body` with Content-Type and Content-Length (no body for HEAD).
  void sendBody(const std::string& contentType, const std::string& body);
  void sendJson(const std::string& json) { sendBody("application/json", json); }
  /// Sends a JSON object, compact.
  void sendJson(const Poco::JSON::Object& json);
  void sendJson(const Poco::JSON::Object& json, Poco::Net::HTTPResponse::HTTPStatus status) {
    response.setStatusAndReason(status);
    sendJson(json);
  }

  /// The request body as a JSON object (at most 64 KiB). Throws
  /// Error(BadRequest) for anything else.
  Poco::JSON::Object::Ptr readJsonBody();
};

/// A string member of a JSON body; "" when absent and not `required`. Throws
/// Error(BadRequest) naming the key.
std::string jsonField(const Poco::JSON::Object::Ptr& body, const std::string& key,
                      bool required = true);

/// An empty JSON object that keeps its keys in insertion order.
inline Poco::JSON::Object::Ptr orderedObject() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

}  // namespace strata
