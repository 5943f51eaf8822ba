#include "http/HttpServer.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <stdexcept>
#include <thread>

#include "config/Config.h"
#include "http/ConnectionGuard.h"
#include "http/EdgeConnection.h"
#include "http/Router.h"
#include "http/Routes.h"

namespace strata {

HttpServer::HttpServer(ServerContext& ctx, const std::string& listen) {
  Poco::Net::SocketAddress address;
  try {
    address = Poco::Net::SocketAddress(listen);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("listen: '" + listen + "' is not host:port (" + e.displayText() + ")");
  }
  Poco::Net::ServerSocket socket;
  try {
    socket.bind(address, true);
    socket.listen(256);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot listen on " + listen + ": " + e.displayText());
  }
  port_ = socket.address().port();

  const HttpConfig& limits = ctx.config.http;
  guard_ = std::make_unique<ConnectionGuard>(
      EdgeLimits{limits.maxConnections, limits.maxConnectionsPerClient,
                 std::chrono::seconds(limits.requestHeadSeconds),
                 std::chrono::seconds(limits.idleSeconds)},
      ctx.metrics);
  router_ = std::make_unique<Router>(ctx, serverRoutes());

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(10000);
  params->setKeepAliveTimeout(Poco::Timespan(limits.idleSeconds, 0));
  params->setMaxQueued(1024);
  params->setMaxThreads(limits.maxConnections);
  // Per read and write; the guard bounds a whole request head.
  params->setTimeout(Poco::Timespan(60, 0));
  pool_ = std::make_unique<Poco::ThreadPool>(4, limits.maxConnections, 60);
  server_ = std::make_unique<Poco::Net::TCPServer>(
      new EdgeConnectionFactory(params, *router_, *guard_), *pool_, socket, params);
  server_->start();
}

HttpServer::~HttpServer() {
  if (server_) {
    server_->stop();
    guard_->abortAll();
  }
  if (pool_) pool_->joinAll();
}

unsigned short HttpServer::port() const {
  return port_;
}

void HttpServer::stopAccepting() {
  server_->stop();
  guard_->drain();
}

bool HttpServer::waitIdle(std::chrono::steady_clock::time_point until) const {
  while (guard_->openCount() > 0) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

void HttpServer::abort() {
  guard_->abortAll();
}

}  // namespace strata
