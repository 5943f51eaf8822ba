#pragma once

#include <memory>
#include <string>

#include "http/Context.h"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace strata {

/// The HTTP listener: a Poco HTTPServer with its own thread pool, large enough
/// that requests waiting for builds do not starve cheap ones.
class HttpServer {
 public:
  /// Binds `listen` ("host:port"; port 0 picks a free one) and starts serving.
  HttpServer(ServerContext& ctx, const std::string& listen);
  ~HttpServer();

  unsigned short port() const;
  /// Stops accepting, waits up to `graceSeconds` for requests in flight, then closes.
  void drainAndStop(int graceSeconds);

 private:
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  unsigned short port_ = 0;
};

}  // namespace strata
