#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "http/ConnectionGuard.h"
#include "util/Metrics.h"

namespace strata {
namespace {

using namespace std::chrono_literals;
using Clock = ConnectionGuard::Clock;
using Phase = ConnectionGuard::Phase;

/// Real loopback connections: the guard ends them with shutdown(2), and
/// the test reads the server side to see that it did.
class Connections {
 public:
  Connections() : listener_(Poco::Net::SocketAddress("127.0.0.1", 0)) {}

  /// The server side of a new connection.
  Poco::Net::StreamSocket accept() {
    clients_.emplace_back(listener_.address());
    return listener_.acceptConnection();
  }

 private:
  Poco::Net::ServerSocket listener_;
  std::vector<Poco::Net::StreamSocket> clients_;
};

/// True when reading the socket ends at once (the guard shut it), false when
/// a read would wait for the client.
bool ended(Poco::Net::StreamSocket& s) {
  s.setReceiveTimeout(Poco::Timespan(0, 50000));
  char c;
  try {
    return s.receiveBytes(&c, 1) == 0;
  } catch (const Poco::TimeoutException&) {
    return false;
  }
}

EdgeLimits limits(int maxConnections = 100, int perClient = 2) {
  // Long deadlines: the guard's own watchdog (real time) never acts during a
  // test; the tests sweep with a clock of their own.
  return EdgeLimits{maxConnections, perClient, 60s, 120s, 30s};
}

TEST(ConnectionGuardTest, CapsConnectionsPerClientAddress) {
  Metrics metrics;
  ConnectionGuard guard(limits(), metrics);
  Connections net;
  auto a = net.accept(), b = net.accept(), c = net.accept(), d = net.accept();
  auto first = guard.admit(a, "10.0.0.1");
  ASSERT_TRUE(first);
  ASSERT_TRUE(guard.admit(b, "10.0.0.1"));
  EXPECT_FALSE(guard.admit(c, "10.0.0.1")) << "a third connection from one address";
  EXPECT_TRUE(guard.admit(d, "10.0.0.2")) << "another address is not affected";
  guard.close(*first);
  EXPECT_TRUE(guard.admit(c, "10.0.0.1")) << "a closed connection frees its place";
  EXPECT_NE(metrics.render().find("strata_http_connections_refused_total 1"), std::string::npos);
}

TEST(ConnectionGuardTest, NoCapWhenPerClientIsZero) {
  Metrics metrics;
  ConnectionGuard guard(limits(100, 0), metrics);
  Connections net;
  std::vector<Poco::Net::StreamSocket> sockets;
  for (int i = 0; i < 10; ++i) {
    sockets.push_back(net.accept());
    EXPECT_TRUE(guard.admit(sockets.back(), "10.0.0.1"));
  }
}

TEST(ConnectionGuardTest, AHeadPastItsDeadlineIsEndedAndMarked) {
  Metrics metrics;
  ConnectionGuard guard(limits(), metrics);
  Connections net;
  auto s = net.accept();
  auto id = *guard.admit(s, "10.0.0.1");
  EXPECT_EQ(guard.sweep(Clock::now() + 59s), 0);
  EXPECT_FALSE(guard.timedOut(id));
  EXPECT_FALSE(ended(s));
  EXPECT_EQ(guard.sweep(Clock::now() + 61s), 1);
  EXPECT_TRUE(guard.timedOut(id));
  EXPECT_TRUE(ended(s));
  EXPECT_EQ(guard.sweep(Clock::now() + 61s), 0) << "ended once";
}

TEST(ConnectionGuardTest, BusyConnectionsHaveNoDeadlineIdleOnesTheirOwn) {
  Metrics metrics;
  ConnectionGuard guard(limits(), metrics);
  Connections net;
  auto busy = net.accept(), idle = net.accept();
  auto busyId = *guard.admit(busy, "10.0.0.1");
  auto idleId = *guard.admit(idle, "10.0.0.2");
  guard.enter(busyId, Phase::Busy);
  guard.enter(idleId, Phase::Idle);
  EXPECT_EQ(guard.busy(), 1);
  EXPECT_EQ(guard.sweep(Clock::now() + 90s), 0) << "idle allows 120 s, not the head's 60";
  EXPECT_EQ(guard.sweep(Clock::now() + 121s), 1);
  EXPECT_TRUE(ended(idle));
  EXPECT_FALSE(guard.timedOut(idleId)) << "an idle close is no head timeout (no 408)";
  EXPECT_FALSE(ended(busy));
}

TEST(ConnectionGuardTest, UnderPressureTheOldestIdleConnectionsCloseFirst) {
  Metrics metrics;
  ConnectionGuard guard(limits(4), metrics);  // pressure at 3 open
  Connections net;
  auto older = net.accept(), newer = net.accept(), busy = net.accept();
  auto olderId = *guard.admit(older, "10.0.0.1");
  auto newerId = *guard.admit(newer, "10.0.0.2");
  auto busyId = *guard.admit(busy, "10.0.0.3");
  guard.enter(olderId, Phase::Idle);
  guard.enter(newerId, Phase::Idle);
  guard.enter(busyId, Phase::Busy);
  EXPECT_EQ(guard.sweep(Clock::now()), 1) << "one close brings it under the pressure line";
  EXPECT_TRUE(ended(older));
  EXPECT_FALSE(ended(newer));
  EXPECT_FALSE(ended(busy));
  EXPECT_NE(metrics.render().find("strata_http_idle_closed_total 1"), std::string::npos);
}

TEST(ConnectionGuardTest, UnderPressureHeadsGetTheShorterDeadline) {
  Metrics metrics;
  ConnectionGuard guard(limits(4), metrics);
  Connections net;
  auto a = net.accept(), b = net.accept(), c = net.accept();
  auto ida = *guard.admit(a, "10.0.0.1");
  guard.admit(b, "10.0.0.2");
  guard.admit(c, "10.0.0.3");
  EXPECT_EQ(guard.sweep(Clock::now() + 31s), 3) << "30 s under pressure instead of 60 s";
  EXPECT_TRUE(guard.timedOut(ida));
}

TEST(ConnectionGuardTest, DrainEndsWaitingConnectionsAndKeepsBusyOnes) {
  Metrics metrics;
  ConnectionGuard guard(limits(), metrics);
  Connections net;
  auto head = net.accept(), idle = net.accept(), busy = net.accept();
  auto headId = *guard.admit(head, "10.0.0.1");
  guard.enter(*guard.admit(idle, "10.0.0.2"), Phase::Idle);
  guard.enter(*guard.admit(busy, "10.0.0.3"), Phase::Busy);
  EXPECT_FALSE(guard.draining());
  guard.drain();
  EXPECT_TRUE(guard.draining());
  EXPECT_TRUE(ended(head));
  EXPECT_TRUE(ended(idle));
  EXPECT_FALSE(ended(busy));
  EXPECT_FALSE(guard.timedOut(headId)) << "a drain is no head timeout";
  guard.abortAll();
  EXPECT_TRUE(ended(busy));
  EXPECT_EQ(guard.openCount(), 3) << "connections stay registered until their thread closes them";
}

}  // namespace
}  // namespace strata
