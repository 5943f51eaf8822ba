#include "http/RouteHandler.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "auth/AccessGate.h"
#include "http/ErrorMapping.h"
#include "http/Exchange.h"
#include "image/ImageName.h"
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

/// The repository name a Pull route's access check is about.
std::string accessName(const Dispatch& d) {
  if (d.access.nameParam == nullptr) return "";
  auto it = d.params.find(d.access.nameParam);
  if (it == d.params.end()) return "";
  return d.access.nameHasTag ? splitNameAndTag(it->second).name : it->second;
}

}  // namespace

void RouteHandler::handleRequest(Poco::Net::HTTPServerRequest& request,
                                 Poco::Net::HTTPServerResponse& response) {
  response.set("Docker-Distribution-API-Version", "registry/2.0");
  run(request, response);
  ctx_.metrics.add("strata_http_responses_total{code=\"" +
                   std::to_string(static_cast<int>(response.getStatus())) + "\"}");
}

void RouteHandler::run(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) {
  auto& log = Poco::Logger::get("strata.http");
  try {
    Caller caller = ctx_.access.admit(dispatch_.access.requirement, accessName(dispatch_),
                                      request.get("Authorization", ""),
                                      request.clientAddress().host().toString());
    if (dispatch_.handler == nullptr) throw Error(dispatch_.refusal, dispatch_.refusalMessage);
    Exchange exchange{ctx_, request, response, dispatch_.params, dispatch_.target.query, caller};
    dispatch_.handler(exchange);
    return;
  } catch (const Error& e) {
    if (!response.sent()) {
      if (e.kind() == ErrorKind::Internal || e.kind() == ErrorKind::BuildFailed)
        log.error("%s %s: %s", request.getMethod(), request.getURI(), std::string(e.what()));
      if (auto* challenge = dynamic_cast<const AuthenticationRequired*>(&e))
        response.set("WWW-Authenticate", challenge->challenge());
      sendError(request, response, e.kind(), e.what(), e.detail());
      return;
    }
    log.warning("%s %s failed after the answer started: %s", request.getMethod(), request.getURI(),
                std::string(e.what()));
  } catch (const Poco::Exception& e) {
    // Typically the client went away while we were writing.
    log.warning("%s %s: %s", request.getMethod(), request.getURI(), e.displayText());
    if (!response.sent()) sendError(request, response, ErrorKind::Internal, "internal error", "");
  } catch (const std::exception& e) {
    log.error("%s %s: %s", request.getMethod(), request.getURI(), std::string(e.what()));
    if (!response.sent())
      // The message may name files of the server: it goes to the log only.
      sendError(request, response, ErrorKind::Internal, "internal error (see the server log)", "");
  }
}

}  // namespace strata
