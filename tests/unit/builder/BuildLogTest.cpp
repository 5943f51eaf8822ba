#include "builder/BuildLog.h"

#include <gtest/gtest.h>

#include <set>

#include "../meta/sql/TestDatabases.h"
#include "meta/sql/SqlBuildRepository.h"

namespace strata {
namespace {

TEST(BuildLog, TracksStateLogAndResult) {
  BuildLog log;
  std::string id = log.open("demo/hello:latest", "demo", "rev", "queued");
  EXPECT_EQ(id.size(), 16u);
  log.setState(id, "running");
  log.append(id, "building '/nix/store/x.drv'...");
  auto running = log.get(id);
  ASSERT_TRUE(running);
  EXPECT_EQ(running->state, "running");
  EXPECT_EQ(running->log, std::vector<std::string>{"building '/nix/store/x.drv'..."});
  EXPECT_EQ(running->finishedAt, 0);
  log.succeed(id, "sha256:oci", "sha256:docker");
  auto done = log.get(id);
  EXPECT_EQ(done->state, "succeeded");
  EXPECT_EQ(done->ociDigest, "sha256:oci");
  EXPECT_GT(done->finishedAt, 0);

  std::string failed = log.open("demo/nope", "demo", "rev", "queued");
  log.fail(failed, "unknown package 'nope'");
  EXPECT_EQ(log.get(failed)->state, "failed");
  EXPECT_EQ(log.get(failed)->error, "unknown package 'nope'");
  EXPECT_FALSE(log.get("0000000000000000"));
  // Unknown ids are ignored, never created.
  log.append("nope", "x");
  EXPECT_FALSE(log.get("nope"));
}

TEST(BuildLog, AllLogsTogetherStayWithinTheirBudgetOldestFirst) {
  BuildLog log(1000);
  std::string old = log.open("demo/a", "demo", "rev", "running");
  std::string line(100, 'x');
  for (int i = 0; i < 6; ++i) log.append(old, line + std::to_string(i));
  std::string current = log.open("demo/b", "demo", "rev", "running");
  for (int i = 0; i < 6; ++i) log.append(current, line + std::to_string(i));
  // 12 lines of 101 bytes do not fit 1000: the older build loses its first lines.
  auto a = log.get(old), b = log.get(current);
  EXPECT_EQ(b->log.size(), 6u);
  EXPECT_FALSE(b->logTruncated);
  EXPECT_TRUE(a->logTruncated);
  EXPECT_EQ(a->log.size(), 3u);
  EXPECT_EQ(a->log.front(), line + "3");
  // A build alone over the budget keeps its newest lines.
  for (int i = 0; i < 20; ++i) log.append(current, line + std::to_string(100 + i));
  b = log.get(current);
  EXPECT_TRUE(log.get(old)->log.empty());
  EXPECT_EQ(b->log.back(), line + "119");
  EXPECT_LE(b->logBytes, 1000u);
  EXPECT_GE(b->logBytes, 900u);
}

TEST(BuildLog, RecentIsNewestFirstWithoutLogs) {
  BuildLog log;
  std::string a = log.open("a", "s", "r", "queued");
  std::string b = log.open("b", "s", "r", "queued");
  log.append(a, "line");
  auto recent = log.recent(10);
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].id, b);
  EXPECT_EQ(recent[1].id, a);
  EXPECT_TRUE(recent[1].log.empty());
  EXPECT_EQ(log.recent(1).size(), 1u);
}

TEST(BuildLog, BoundsBuildsAndLines) {
  BuildLog log;
  std::string first = log.open("first", "s", "r", "queued");
  std::set<std::string> ids{first};
  for (std::size_t i = 0; i < BuildLog::kMaxBuilds; ++i)
    ids.insert(log.open("x", "s", "r", "queued"));
  EXPECT_EQ(ids.size(), BuildLog::kMaxBuilds + 1);  // ids do not repeat
  EXPECT_FALSE(log.get(first)) << "the oldest build is dropped";
  EXPECT_EQ(log.recent(1000).size(), BuildLog::kMaxBuilds);

  std::string id = log.recent(1)[0].id;
  for (std::size_t i = 0; i < BuildLog::kMaxLines + 1; ++i) log.append(id, std::to_string(i));
  auto b = log.get(id);
  EXPECT_TRUE(b->logTruncated);
  EXPECT_LE(b->log.size(), BuildLog::kMaxLines);
  EXPECT_EQ(b->log.back(), std::to_string(BuildLog::kMaxLines));
}

TEST(BuildLog, BoundsTheBytesOfEachLog) {
  BuildLog log;
  std::string id = log.open("big", "s", "r", "running");
  log.append(id, "first");
  for (int i = 0; i < 40; ++i) log.append(id, std::string(100000, 'a' + i % 26));
  auto b = log.get(id);
  std::size_t bytes = 0;
  for (const auto& line : b->log) bytes += line.size();
  EXPECT_LE(bytes, BuildLog::kMaxLogBytes);
  EXPECT_EQ(bytes, b->logBytes);
  EXPECT_TRUE(b->logTruncated);
  EXPECT_NE(b->log.front(), "first") << "the oldest lines go first";
  EXPECT_EQ(b->log.back(), std::string(100000, 'a' + 39 % 26));
}

TEST(BuildLog, SharedLogsAreReadFromEveryReplica) {
  test::TestDatabase database("sqlite");
  SqlBuildRepository repo(database.db());
  BuildLog a, b;
  a.share(&repo, "replica-a");
  b.share(&repo, "replica-b");
  std::string id = a.open("demo/shell/hello:latest", "demo", "rev", "queued");
  a.setState(id, "running");
  a.append(id, "building '/nix/store/x.drv'...");
  // Lines reach the others with the next flush (every second in a server).
  EXPECT_TRUE(b.get(id)->log.empty());
  EXPECT_EQ(b.get(id)->state, "running");
  a.flush();
  EXPECT_EQ(b.get(id)->log, std::vector<std::string>{"building '/nix/store/x.drv'..."});
  a.append(id, "done");
  a.succeed(id, "sha256:oci", "sha256:docker");
  auto seen = b.get(id);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->state, "succeeded");
  EXPECT_EQ(seen->ociDigest, "sha256:oci");
  EXPECT_EQ(seen->log.size(), 2u);
  std::string other = b.open("demo/shell/jq:latest", "demo", "rev", "queued");
  auto listed = a.recent(10);
  ASSERT_EQ(listed.size(), 2u);
  std::set<std::string> ids{listed[0].id, listed[1].id};
  EXPECT_EQ(ids, (std::set<std::string>{id, other}));
  EXPECT_FALSE(a.get("0000000000000000"));
}

TEST(BuildLog, ABrokenDatabaseLeavesTheLocalLog) {
  test::TestDatabase database("sqlite");
  SqlBuildRepository repo(database.db());
  database.db().session() << "DROP TABLE build_log_lines", Poco::Data::Keywords::now;
  database.db().session() << "DROP TABLE builds", Poco::Data::Keywords::now;
  BuildLog a;
  a.share(&repo, "replica-a");
  std::string id = a.open("demo/shell/hello:latest", "demo", "rev", "queued");
  a.append(id, "line");
  EXPECT_NO_THROW(a.flush());
  a.fail(id, "boom");
  EXPECT_EQ(a.get(id)->state, "failed");
  EXPECT_EQ(a.get(id)->log, std::vector<std::string>{"line"});
  EXPECT_EQ(a.recent(5).size(), 1u);
}

}  // namespace
}  // namespace strata
