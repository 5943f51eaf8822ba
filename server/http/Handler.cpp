#include "http/Handler.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/URI.h>

#include <sstream>

#include "http/ErrorMapping.h"
#include "util/Error.h"
#include "util/Metrics.h"

namespace strata {

namespace {

void sendError(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
               ErrorKind kind, const std::string& message, const std::string& detail) {
  HttpError he = httpErrorFor(kind);
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(he.status));
  if (kind == ErrorKind::Busy) response.set("Retry-After", "10");
  std::string body = errorBody(he.code, message, detail);
  response.setContentType("application/json");
  response.setContentLength64(static_cast<Poco::UInt64>(body.size()));
  auto& out = response.send();
  if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD) out << body;
}

}  // namespace

RequestTarget parseTarget(const std::string& uri) {
  RequestTarget t;
  Poco::URI u(uri);
  t.path = u.getPath();
  for (const auto& [k, v] : u.getQueryParameters()) t.query.emplace(k, v);
  return t;
}

void Handler::handleRequest(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  response.set("Docker-Distribution-API-Version", "registry/2.0");
  handleMapped(request, response);
  ctx_.metrics.add("strata_http_responses_total{code=\"" +
                   std::to_string(static_cast<int>(response.getStatus())) + "\"}");
}

void Handler::handleMapped(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) {
  try {
    subject_ = authorizeRequest(ctx_, rule_, request, response);
    // Policies of plugins come after the core grants, with auth on or off.
    if (!checksImagePolicies()) checkNamePolicies(ctx_, rule_, subject(), request);
    handle(request, response);
    if (subject_) afterAuthorizedRequest(ctx_, rule_, *subject_, request, response);
    return;
  } catch (const Error& e) {
    if (!response.sent()) {
      if (e.kind() == ErrorKind::Internal || e.kind() == ErrorKind::BuildFailed)
        Poco::Logger::get("strata.http")
            .error("%s %s: %s", request.getMethod(), request.getURI(), std::string(e.what()));
      sendError(request, response, e.kind(), e.what(), e.detail());
      return;
    }
    Poco::Logger::get("strata.http")
        .warning("%s %s failed after the answer started: %s", request.getMethod(), request.getURI(),
                 std::string(e.what()));
  } catch (const Poco::Exception& e) {
    // Typically the client went away while we were writing.
    Poco::Logger::get("strata.http")
        .warning("%s %s: %s", request.getMethod(), request.getURI(), e.displayText());
    if (!response.sent()) sendError(request, response, ErrorKind::Internal, "internal error", "");
  } catch (const std::exception& e) {
    Poco::Logger::get("strata.http")
        .error("%s %s: %s", request.getMethod(), request.getURI(), std::string(e.what()));
    if (!response.sent())
      // The message may name files of the server: it goes to the log only.
      sendError(request, response, ErrorKind::Internal, "internal error (see the server log)", "");
  }
}

Poco::SharedPtr<Poco::JSON::Object> readJsonBody(Poco::Net::HTTPServerRequest& request) {
  constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  std::string body;
  auto& in = request.stream();
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    body.append(buf, static_cast<std::size_t>(in.gcount()));
    if (body.size() > kMaxBodyBytes)
      throw Error(ErrorKind::BadRequest, "request body larger than 64 KiB");
  }
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(body);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
  }
  throw Error(ErrorKind::BadRequest, "the request body must be a JSON object");
}

std::string jsonField(const Poco::SharedPtr<Poco::JSON::Object>& body, const std::string& key,
                      bool required) {
  if (!body->has(key) || body->isNull(key)) {
    if (required) throw Error(ErrorKind::BadRequest, "the request body needs \"" + key + "\"");
    return "";
  }
  auto v = body->get(key);
  if (!v.isString()) throw Error(ErrorKind::BadRequest, "\"" + key + "\" must be a string");
  return v.extract<std::string>();
}

void Handler::sendJson(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response, const Poco::JSON::Object& json) {
  std::ostringstream out;
  json.stringify(out);
  sendJson(request, response, out.str());
}

void Handler::sendBody(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response, const std::string& contentType,
                       const std::string& body) {
  response.setContentType(contentType);
  response.setContentLength64(static_cast<Poco::UInt64>(body.size()));
  auto& out = response.send();
  if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD) out << body;
}

void ErrorHandler::handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) {
  throw Error(kind_, message_);
}

}  // namespace strata
