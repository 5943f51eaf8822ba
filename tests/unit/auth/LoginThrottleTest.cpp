#include "auth/LoginThrottle.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(LoginThrottleTest, BackoffDoublesUpToTheCap) {
  LoginThrottle t;
  EXPECT_EQ(t.backoff(0), milliseconds(0));
  EXPECT_EQ(t.backoff(1), milliseconds(200));
  EXPECT_EQ(t.backoff(2), milliseconds(400));
  EXPECT_EQ(t.backoff(3), milliseconds(800));
  EXPECT_EQ(t.backoff(5), milliseconds(3200));
  EXPECT_EQ(t.backoff(6), milliseconds(5000));
  EXPECT_EQ(t.backoff(60), milliseconds(5000));
}

TEST(LoginThrottleTest, FailuresDelayTheUserAndTheAddress) {
  LoginThrottle t;
  auto t0 = LoginThrottle::Clock::now();
  EXPECT_EQ(t.delay("alice", "10.0.0.1", t0), milliseconds(0));
  t.failed("alice", "10.0.0.1", t0);
  t.failed("alice", "10.0.0.1", t0);
  // 2 failures: 400 ms after the last one, for the user from anywhere and
  // for the address with any user name.
  EXPECT_GT(t.delay("alice", "10.9.9.9", t0), milliseconds(390));
  EXPECT_GT(t.delay("mallory", "10.0.0.1", t0), milliseconds(390));
  EXPECT_EQ(t.delay("bob", "10.0.0.2", t0), milliseconds(0));
  EXPECT_LE(t.delay("alice", "10.0.0.1", t0 + milliseconds(200)), milliseconds(201));
  EXPECT_EQ(t.delay("alice", "10.0.0.1", t0 + milliseconds(400)), milliseconds(0));
}

TEST(LoginThrottleTest, SuccessResets) {
  LoginThrottle t;
  auto t0 = LoginThrottle::Clock::now();
  for (int i = 0; i < 4; ++i) t.failed("alice", "10.0.0.1", t0);
  EXPECT_GT(t.delay("alice", "10.0.0.1", t0), milliseconds(1500));
  t.succeeded("alice", "10.0.0.1");
  EXPECT_EQ(t.delay("alice", "10.0.0.1", t0), milliseconds(0));
}

TEST(LoginThrottleTest, FailuresAreForgottenAfterAWhile) {
  LoginThrottle t(LoginThrottle::Params{milliseconds(100), milliseconds(1000), seconds(60), 10});
  auto t0 = LoginThrottle::Clock::now();
  for (int i = 0; i < 10; ++i) t.failed("alice", "a", t0);
  EXPECT_EQ(t.backoff(10), milliseconds(1000));
  auto later = t0 + seconds(61);
  EXPECT_EQ(t.delay("alice", "a", later), milliseconds(0));
  t.failed("alice", "a", later);  // counting starts again
  EXPECT_LE(t.delay("alice", "a", later), milliseconds(101));
}

TEST(LoginThrottleTest, MemoryStaysBounded) {
  LoginThrottle t(LoginThrottle::Params{milliseconds(100), milliseconds(1000), seconds(60), 50});
  auto t0 = LoginThrottle::Clock::now();
  for (int i = 0; i < 1000; ++i) t.failed("user" + std::to_string(i), "flood", t0);
  // Still answers; the flood's keys were dropped or kept, never unbounded.
  EXPECT_LE(t.delay("user999", "x", t0), milliseconds(1001));
}

}  // namespace
}  // namespace strata
