#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "http/Context.h"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPRequestHandlerFactory;
class TCPServer;
}  // namespace Net
}  // namespace Poco

namespace strata {

class ConnectionGuard;

/// The HTTP listener: Poco's TCP server with the server's own connections
/// (EdgeConnection) and their guard, and a thread pool of http.maxConnections
/// so that requests waiting for builds do not starve cheap ones.
class HttpServer {
 public:
  /// Binds `listen` ("host:port"; port 0 picks a free one) and starts serving.
  HttpServer(ServerContext& ctx, const std::string& listen);
  ~HttpServer();

  unsigned short port() const;
  /// Stops accepting and closes connections waiting for a request; busy
  /// ones end after their answer.
  void stopAccepting();
  /// Waits until no request is in flight or `until`; true when none is.
  bool waitIdle(std::chrono::steady_clock::time_point until) const;
  /// Ends every connection, answered or not.
  void abort();

 private:
  std::unique_ptr<ConnectionGuard> guard_;
  std::unique_ptr<Poco::Net::HTTPRequestHandlerFactory> router_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::TCPServer> server_;
  unsigned short port_ = 0;
};

}  // namespace strata
