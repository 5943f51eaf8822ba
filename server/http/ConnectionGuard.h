#pragma once

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace strata {

class Metrics;

/// What the listener allows each connection (http.* in the configuration).
struct EdgeLimits {
  int maxConnections = 256;
  int perClient = 64;  ///< 0: no cap
  std::chrono::milliseconds head{10000};
  std::chrono::milliseconds idle{30000};
  /// Under pressure, a head may take this long at most: a real client sends
  /// its head at once, a slow one is what the pressure is made of.
  std::chrono::milliseconds pressedHead{2000};
};

/// Keeps slow and idle clients from holding the server's connections: every
/// open connection is registered here with what it waits for, and a
/// watchdog thread ends those past their deadline. Poco reads a request head
/// with a timeout per read, so a client sending one byte every few seconds
/// would otherwise hold a thread for ever; here the whole head has one
/// deadline. Under pressure (three quarters of maxConnections open), idle
/// keep-alive connections are closed first, oldest first, and heads get the
/// shorter pressedHead deadline.
class ConnectionGuard {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Phase { Head, Busy, Idle };

  ConnectionGuard(EdgeLimits limits, Metrics& metrics);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  /// Registers a new connection waiting for its first request head; empty
  /// when `client` already holds perClient connections.
  std::optional<std::uint64_t> admit(const Poco::Net::StreamSocket& socket,
                                     const std::string& client);
  void enter(std::uint64_t id, Phase phase);
  /// True when the watchdog ended this connection's wait for a head.
  bool timedOut(std::uint64_t id) const;
  void close(std::uint64_t id);

  /// Stops waiting connections now; busy ones end after their request.
  void drain();
  bool draining() const;
  /// Ends every connection at once, busy ones included.
  void abortAll();
  int busy() const;
  int openCount() const;

  /// One pass of the watchdog at `now` (the thread calls it a few times a
  /// second; tests call it with their own clock). Returns how many
  /// connections it ended.
  int sweep(Clock::time_point now);

 private:
  struct Connection {
    Poco::Net::StreamSocket socket;
    std::string client;
    Phase phase = Phase::Head;
    Clock::time_point since;
    bool ended = false;
    bool timedOut = false;
  };
  void end(Connection& c);
  void watch();

  const EdgeLimits limits_;
  Metrics& metrics_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, Connection> connections_;
  std::map<std::string, int> perClient_;
  std::uint64_t next_ = 1;
  bool draining_ = false;
  bool stop_ = false;
  std::condition_variable wake_;
  std::thread watchdog_;
};

}  // namespace strata
