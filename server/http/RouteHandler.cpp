#include "http/RouteHandler.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/String.h>

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
  if (kind == ErrorKind::ShuttingDown) {
    // Another replica (or this one, restarted) answers the retry.
    response.set("Retry-After", "1");
    response.setKeepAlive(false);
  }
  std::string body = errorBody(he.code, message, detail);
  response.setContentType("application/json");
  response.setContentLength64(static_cast<Poco::UInt64>(body.size()));
  auto& out = response.send();
  if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD) out << body;
}

/// Why the request's framing cannot be trusted, or "" when it can. A
/// request whose end is ambiguous (two lengths, a length and chunks) or
/// whose body nobody reads (a GET with a body) would leave bytes on the
/// connection that a proxy in front reads differently: the next "request"
/// would be the client's to choose.
std::string framingProblem(const Poco::Net::HTTPServerRequest& request) {
  std::size_t lengths = 0;
  for (auto it = request.find("Content-Length");
       it != request.end() && Poco::icompare(it->first, "Content-Length") == 0; ++it) {
    ++lengths;
    const std::string& v = it->second;
    if (v.empty() || v.size() > 15 || v.find_first_not_of("0123456789") != std::string::npos)
      return "Content-Length must be one decimal number of at most 15 digits";
  }
  if (lengths > 1) return "more than one Content-Length";
  bool chunked = request.has("Transfer-Encoding");
  if (chunked && lengths > 0) return "both Transfer-Encoding and Content-Length";
  if (chunked && Poco::icompare(request.get("Transfer-Encoding"), "chunked") != 0)
    return "Transfer-Encoding other than chunked";
  bool body = chunked || (lengths == 1 && request.getContentLength64() > 0);
  const std::string& method = request.getMethod();
  if (body && method != Poco::Net::HTTPRequest::HTTP_POST &&
      method != Poco::Net::HTTPRequest::HTTP_PUT && method != Poco::Net::HTTPRequest::HTTP_PATCH)
    return "a " + method + " request has no body";
  return "";
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
  if (std::string problem = framingProblem(request); !problem.empty()) {
    response.setKeepAlive(false);
    sendError(request, response, ErrorKind::BadRequest, "bad request framing: " + problem, "");
    return;
  }
  // A body nobody reads (a refused request, a bigger one than a handler
  // takes) would be read as the next request: such a connection ends here.
  const bool hasBody = request.has("Transfer-Encoding") || request.getContentLength64() > 0;
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
      if (hasBody) response.setKeepAlive(false);
      if (e.kind() == ErrorKind::Internal || e.kind() == ErrorKind::BuildFailed ||
          e.kind() == ErrorKind::StorageFull)
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
