#include "http/EdgeConnection.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>

#include <chrono>
#include <memory>

#include "http/ConnectionGuard.h"
#include "http/ErrorMapping.h"

namespace strata {
namespace {

using Poco::Net::HTTPResponse;

/// The connection's last answer: a registry error, then the connection ends.
void answerAndClose(Poco::Net::HTTPServerSession& session, HTTPResponse::HTTPStatus status,
                    const std::string& code, const std::string& message) {
  try {
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(HTTPResponse::HTTP_1_1);
    response.setStatusAndReason(status);
    response.setKeepAlive(false);
    response.set("Docker-Distribution-API-Version", "registry/2.0");
    if (status == HTTPResponse::HTTP_TOO_MANY_REQUESTS) response.set("Retry-After", "1");
    std::string body = errorBody(code, message, "");
    response.setContentType("application/json");
    response.setContentLength64(static_cast<Poco::UInt64>(body.size()));
    response.send() << body;
  } catch (const Poco::Exception&) {
    // The client is gone: there is nobody to answer.
  }
  session.setKeepAlive(false);
}

/// Ends a connection after its last answer without losing that answer:
/// closing a socket with unread bytes (the rest of a refused request, a body
/// nobody reads) resets the connection, and the client's system may discard
/// the answer before the client reads it. So: no more sending, then read and
/// drop what still comes, for `limit` (and a MiB) at most.
void lingeringClose(Poco::Net::StreamSocket& socket,
                    std::chrono::milliseconds limit = std::chrono::seconds(1)) {
  try {
    socket.shutdownSend();
    const auto until = std::chrono::steady_clock::now() + limit;
    char buf[4096];
    std::size_t dropped = 0;
    while (dropped < (1u << 20)) {
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0 ||
          !socket.poll(Poco::Timespan(left.count()), Poco::Net::Socket::SELECT_READ))
        break;
      int n = socket.receiveBytes(buf, sizeof buf);
      if (n <= 0) break;
      dropped += static_cast<std::size_t>(n);
    }
  } catch (const Poco::Exception&) {
    // Reset or gone: the answer went out or never could.
  }
}

/// Closes the connection's id in the guard however serve() ends.
struct Registered {
  ConnectionGuard& guard;
  std::uint64_t id;
  ~Registered() { guard.close(id); }
};

}  // namespace

EdgeConnection::EdgeConnection(const Poco::Net::StreamSocket& socket,
                               Poco::Net::HTTPServerParams::Ptr params,
                               Poco::Net::HTTPRequestHandlerFactory& router, ConnectionGuard& guard)
    : TCPServerConnection(socket), params_(std::move(params)), router_(router), guard_(guard) {}

void EdgeConnection::run() {
  std::string client;
  try {
    client = socket().peerAddress().host().toString();
  } catch (const Poco::Exception&) {
    return;  // the peer left before we could ask who it was
  }
  auto id = guard_.admit(socket(), client);
  if (!id) {
    refuse(client);
    return;
  }
  Registered registered{guard_, *id};
  if (serve(*id)) lingeringClose(socket());
}

void EdgeConnection::refuse(const std::string& client) {
  Poco::Net::HTTPServerSession session(socket(), params_);
  answerAndClose(session, HTTPResponse::HTTP_TOO_MANY_REQUESTS, "TOOMANYREQUESTS",
                 "too many connections from " + client + " (http.maxConnectionsPerClient)");
  // Briefly: a client over its cap must not hold threads with its refusals.
  lingeringClose(socket(), std::chrono::milliseconds(200));
}

bool EdgeConnection::serve(std::uint64_t id) {
  using Phase = ConnectionGuard::Phase;
  Poco::Net::HTTPServerSession session(socket(), params_);
  bool first = true;
  while (session.hasMoreRequests()) {
    // The head deadline of a first request runs from the connect; later
    // ones from their first byte, after an idle wait of their own.
    if (!first) guard_.enter(id, Phase::Head);
    first = false;
    bool handled = false;
    try {
      Poco::Net::HTTPServerResponseImpl response(session);
      Poco::Net::HTTPServerRequestImpl request(response, session, params_);
      // Poco ends a head at end of input as at a blank line: a head cut
      // off by its deadline would be served as if complete.
      if (guard_.timedOut(id)) {
        answerAndClose(session, HTTPResponse::HTTP_REQUEST_TIMEOUT, "UNKNOWN",
                       "the request head did not arrive within http.requestHeadSeconds");
        return true;
      }
      guard_.enter(id, Phase::Busy);
      const std::string& version = request.getVersion();
      if (version != HTTPResponse::HTTP_1_0 && version != HTTPResponse::HTTP_1_1) {
        answerAndClose(session, HTTPResponse::HTTP_BAD_REQUEST, "UNSUPPORTED",
                       "unsupported HTTP version (HTTP/1.0 and HTTP/1.1 are served)");
        return true;
      }
      auto keepAlive = [&](bool asked) {
        return params_->getKeepAlive() && asked && session.canKeepAlive() && !guard_.draining();
      };
      response.setDate(Poco::Timestamp());
      response.setVersion(version);
      response.setKeepAlive(keepAlive(request.getKeepAlive()));
      std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(router_.createRequestHandler(request));
      if (request.getExpectContinue()) response.sendContinue();
      handled = true;
      handler->handleRequest(request, response);
      session.setKeepAlive(keepAlive(response.getKeepAlive()));
      if (!session.getKeepAlive()) return true;
      guard_.enter(id, Phase::Idle);
    } catch (const Poco::Net::NoMessageException&) {
      return false;  // closed, idle too long, or silent until its deadline
    } catch (const Poco::Exception& e) {
      if (handled) return false;  // the handler answered what it could; the client is gone
      if (guard_.timedOut(id)) {
        answerAndClose(session, HTTPResponse::HTTP_REQUEST_TIMEOUT, "UNKNOWN",
                       "the request head did not arrive within http.requestHeadSeconds");
        return true;
      }
      if (session.networkException() == nullptr) {
        // A head Poco cannot read (too long, too many fields, a length that
        // is not a number): the rest of the stream has no trustworthy framing.
        answerAndClose(session, HTTPResponse::HTTP_BAD_REQUEST, "UNSUPPORTED",
                       "malformed HTTP request: " + e.displayText());
        return true;
      }
      return false;
    }
  }
  return false;
}

}  // namespace strata
