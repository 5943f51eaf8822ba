#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/SharedPtr.h>

#include <map>
#include <optional>
#include <string>

#include "auth/Subject.h"
#include "http/Authorization.h"
#include "http/Context.h"
#include "util/Error.h"

namespace Poco::JSON {
class Object;
}

namespace strata {

/// Base of every handler: sets the headers every answer carries and maps any
/// exception to a distribution error response. Subclasses implement handle().
class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(ServerContext& ctx) : ctx_(ctx) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) final;

  /// What the request needs from its caller when auth is on (set by the Router).
  void setAccessRule(AccessRule rule) { rule_ = std::move(rule); }

 protected:
  virtual void handle(Poco::Net::HTTPServerRequest& request,
                      Poco::Net::HTTPServerResponse& response) = 0;

  /// Sends `body` with Content-Type and Content-Length (no body for HEAD).
  static void sendBody(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response, const std::string& contentType,
                       const std::string& body);
  static void sendJson(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response, const std::string& json) {
    sendBody(request, response, "application/json", json);
  }
  /// Sends a JSON object, compact.
  static void sendJson(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response, const Poco::JSON::Object& json);

  /// The authenticated caller; null when auth is off or the route is open.
  const Subject* subject() const { return subject_ ? &*subject_ : nullptr; }

  /// True for handlers that resolve or build an image and run the access
  /// policies of plugins on it themselves (imagePolicyCheck, with revision and
  /// closure). For other pull routes the policies judge the name alone before
  /// handle() runs.
  virtual bool checksImagePolicies() const { return false; }

  ServerContext& ctx_;

 private:
  AccessRule rule_;
  std::optional<Subject> subject_;

  void handleMapped(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
};

/// Decoded path and query parameters of a request URI.
struct RequestTarget {
  std::string path;
  std::map<std::string, std::string> query;
};
RequestTarget parseTarget(const std::string& uri);

/// The request body as a JSON object (at most 64 KiB). Throws
/// Error(BadRequest) for anything else.
Poco::SharedPtr<Poco::JSON::Object> readJsonBody(Poco::Net::HTTPServerRequest& request);

/// A string member of a JSON body; "" when absent and not `required`. Throws
/// Error(BadRequest) naming the key.
std::string jsonField(const Poco::SharedPtr<Poco::JSON::Object>& body, const std::string& key,
                      bool required = true);

/// Answers every request with one fixed error (unknown routes, push endpoints).
class ErrorHandler : public Handler {
 public:
  ErrorHandler(ServerContext& ctx, ErrorKind kind, std::string message)
      : Handler(ctx), kind_(kind), message_(std::move(message)) {}

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;

 private:
  ErrorKind kind_;
  std::string message_;
};

}  // namespace strata
