#include "builder/SingleFlight.h"

#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <vector>

namespace strata {
namespace {

// Followers join while the leader's flight is open (join() on this thread),
// then wait on their own threads: the interleaving is fixed, not hoped for.

TEST(SingleFlight, ConcurrentCallersShareOneRunAndItsResult) {
  SingleFlight<int> flights;
  auto leader = flights.join("k");
  ASSERT_TRUE(leader.leader);
  std::vector<std::future<int>> followers;
  for (int i = 0; i < 8; ++i) {
    auto ticket = flights.join("k");
    EXPECT_FALSE(ticket.leader);
    EXPECT_EQ(ticket.flight, leader.flight);
    followers.push_back(std::async(std::launch::async, [f = ticket.flight] { return f->wait(); }));
  }
  EXPECT_EQ(flights.size(), 1u);
  flights.finish("k", leader.flight, 42, nullptr);
  for (auto& f : followers) EXPECT_EQ(f.get(), 42);
  EXPECT_EQ(flights.size(), 0u) << "a finished flight is forgotten";
}

TEST(SingleFlight, AFailureReachesEveryFollower) {
  SingleFlight<int> flights;
  auto leader = flights.join("k");
  std::vector<std::future<int>> followers;
  for (int i = 0; i < 4; ++i)
    followers.push_back(
        std::async(std::launch::async, [f = flights.join("k").flight] { return f->wait(); }));
  flights.finish("k", leader.flight, std::nullopt,
                 std::make_exception_ptr(std::runtime_error("nix failed")));
  for (auto& f : followers) {
    try {
      f.get();
      ADD_FAILURE() << "a follower got a result from a failed flight";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "nix failed");
    }
  }
  EXPECT_EQ(flights.size(), 0u) << "a failed flight is forgotten too";
}

TEST(SingleFlight, RunRunsAgainOnceAFlightEnded) {
  SingleFlight<int> flights;
  int runs = 0;
  EXPECT_EQ(flights.run("k", [&] { return ++runs; }), 1);
  EXPECT_EQ(flights.run("k", [&] { return ++runs; }), 2) << "results are not cached";
  EXPECT_THROW(flights.run("k", []() -> int { throw std::logic_error("boom"); }), std::logic_error);
  EXPECT_EQ(flights.run("k", [&] { return ++runs; }), 3) << "a failure is not remembered";
  EXPECT_EQ(flights.size(), 0u);
}

TEST(SingleFlight, KeysAreIndependent) {
  SingleFlight<int> flights;
  auto a = flights.join("a");
  auto b = flights.join("b");
  EXPECT_TRUE(a.leader);
  EXPECT_TRUE(b.leader);
  EXPECT_EQ(flights.size(), 2u);
  flights.finish("b", b.flight, 2, nullptr);
  EXPECT_EQ(b.flight->wait(), 2);
  EXPECT_EQ(flights.size(), 1u);
  flights.finish("a", a.flight, 1, nullptr);
  EXPECT_EQ(a.flight->wait(), 1);
}

TEST(SingleFlight, TheLeadersLabelIsMadeOnceAndSeenByFollowers) {
  SingleFlight<int> flights;
  int labels = 0;
  auto label = [&] { return "build-" + std::to_string(++labels); };
  auto leader = flights.join("k", label);
  auto follower = flights.join("k", label);
  EXPECT_EQ(labels, 1);
  EXPECT_EQ(follower.flight->label(), "build-1");
  flights.finish("k", leader.flight, 0, nullptr);
  EXPECT_EQ(flights.join("k", label).flight->label(), "build-2");
}

}  // namespace
}  // namespace strata
