#include "http/HttpServer.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <stdexcept>
#include <thread>

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

  auto* params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(10000);
  params->setKeepAliveTimeout(Poco::Timespan(30, 0));
  params->setMaxQueued(1024);
  params->setMaxThreads(256);
  params->setTimeout(Poco::Timespan(60, 0));
  params->setServerName("strata");
  pool_ = std::make_unique<Poco::ThreadPool>(4, 256, 60);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Router(ctx, serverRoutes()), *pool_, socket,
                                                    params);
  server_->start();
}

HttpServer::~HttpServer() {
  if (server_) server_->stopAll(true);
  if (pool_) pool_->joinAll();
}

unsigned short HttpServer::port() const {
  return port_;
}

void HttpServer::drainAndStop(int graceSeconds) {
  // No new connections; open ones close after the request they are serving.
  server_->stopAll(false);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(graceSeconds);
  while (server_->currentConnections() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_->stopAll(true);
}

}  // namespace strata
