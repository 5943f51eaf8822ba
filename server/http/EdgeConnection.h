#pragma once

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

namespace Poco::Net {
class HTTPRequestHandlerFactory;
class HTTPServerSession;
}  // namespace Poco::Net

namespace strata {

class ConnectionGuard;

/// One client connection: reads requests one after the other and hands each
/// to the router. It replaces Poco's HTTPServerConnection so that the edge
/// is the server's own: every connection is registered with the
/// ConnectionGuard (deadlines, per-client cap, drain), and what Poco refuses
/// by itself (a malformed head, an unreadable Content-Length, an unknown
/// HTTP version) is answered with a JSON registry error and a closed
/// connection instead of a bare status or nothing.
class EdgeConnection : public Poco::Net::TCPServerConnection {
 public:
  EdgeConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                 Poco::Net::HTTPRequestHandlerFactory& router, ConnectionGuard& guard);
  void run() override;

 private:
  /// Serves requests until the connection ends; true when it ends after an
  /// answer that closes it (so the close must not lose that answer).
  bool serve(std::uint64_t id);
  void refuse(const std::string& client);

  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory& router_;
  ConnectionGuard& guard_;
};

class EdgeConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  EdgeConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                        Poco::Net::HTTPRequestHandlerFactory& router, ConnectionGuard& guard)
      : params_(std::move(params)), router_(router), guard_(guard) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new EdgeConnection(socket, params_, router_, guard_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory& router_;
  ConnectionGuard& guard_;
};

}  // namespace strata
