#include "util/BackgroundThreads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace strata {
namespace {

TEST(BackgroundThreads, TheDestructorWaitsForEveryThread) {
  std::atomic<int> done{0};
  {
    BackgroundThreads threads;
    for (int i = 0; i < 4; ++i)
      threads.start([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        ++done;
      });
  }
  EXPECT_EQ(done.load(), 4);
}

TEST(BackgroundThreads, FinishedThreadsAreReapedAndErrorsDropped) {
  BackgroundThreads threads;
  threads.start([] { throw std::runtime_error("reported elsewhere"); });
  for (int i = 0; i < 200 && threads.running() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(threads.running(), 0u);
  EXPECT_EQ(threads.held(), 1u) << "finished, not joined yet";
  std::atomic<bool> ran{false};
  threads.start([&] { ran = true; });  // joins the finished one first
  EXPECT_EQ(threads.held(), 1u);
  threads.joinAll();
  EXPECT_EQ(threads.held(), 0u);
  EXPECT_TRUE(ran.load());
}

}  // namespace
}  // namespace strata
