#include "meta/sqlite/SqliteMigrations.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <string>

#include "../../support/TestSupport.h"
#include "meta/sqlite/SqliteDatabase.h"
#include "util/Sha256.h"

namespace strata {
namespace {

using namespace Poco::Data::Keywords;

Migration migration(int version, const std::string& name, const std::string& sql) {
  return Migration{version, name, sql, Sha256::hex(sql)};
}

class MigrationsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Poco::Data::SQLite::Connector::registerConnector(); }

  Poco::Data::Session open() { return Poco::Data::Session("SQLite", dir / "meta.db"); }

  bool tableExists(Poco::Data::Session& s, const std::string& table) {
    int n = 0;
    std::string t = table;
    s << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", use(t), into(n),
        now;
    return n > 0;
  }

  int appliedRows(Poco::Data::Session& s) {
    int n = 0;
    s << "SELECT COUNT(*) FROM schema_migrations", into(n), now;
    return n;
  }

  test::TempDir dir;
};

TEST_F(MigrationsTest, EmbeddedMigrationsAreOrderedAndChecksummed) {
  auto ms = embeddedMigrations();
  ASSERT_FALSE(ms.empty());
  EXPECT_EQ(ms.front().version, 1);
  EXPECT_EQ(ms.front().name, "0001_init.sql");
  for (std::size_t i = 0; i < ms.size(); ++i) {
    SCOPED_TRACE(ms[i].name);
    EXPECT_EQ(ms[i].checksum, Sha256::hex(ms[i].sql));
    EXPECT_EQ(std::stoi(ms[i].name.substr(0, 4)), ms[i].version);
    EXPECT_EQ(ms[i].sql,
              test::readFile(std::string(STRATA_SOURCE_DIR) + "/migrations/" + ms[i].name));
    if (i > 0) {
      EXPECT_GT(ms[i].version, ms[i - 1].version);
    }
  }
}

TEST_F(MigrationsTest, AppliesAllToAnEmptyDatabase) {
  auto s = open();
  auto ms = embeddedMigrations();
  EXPECT_EQ(schemaVersion(s), 0);
  EXPECT_EQ(applyMigrations(s), static_cast<int>(ms.size()));
  EXPECT_EQ(schemaVersion(s), ms.back().version);
  for (const char* table : {"images", "image_blobs", "image_names", "resolutions", "layers"})
    EXPECT_TRUE(tableExists(s, table)) << table;
  EXPECT_EQ(appliedRows(s), static_cast<int>(ms.size()));
  std::string name, checksum;
  s << "SELECT name, checksum FROM schema_migrations WHERE version = 1", into(name), into(checksum),
      now;
  EXPECT_EQ(name, "0001_init.sql");
  EXPECT_EQ(checksum, ms.front().checksum);
}

TEST_F(MigrationsTest, ApplyingAgainAppliesNothing) {
  {
    auto s = open();
    applyMigrations(s);
  }
  auto s = open();  // a new connection to the same file
  EXPECT_EQ(applyMigrations(s), 0);
  EXPECT_EQ(appliedRows(s), static_cast<int>(embeddedMigrations().size()));
}

TEST_F(MigrationsTest, NewerDatabaseIsRefused) {
  auto s = open();
  s << "PRAGMA user_version = 999", now;
  try {
    applyMigrations(s);
    FAIL() << "a newer database was accepted";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("999"), std::string::npos) << msg;
    EXPECT_NE(msg.find("newer"), std::string::npos) << msg;
  }
  EXPECT_EQ(schemaVersion(s), 999);
  EXPECT_FALSE(tableExists(s, "images"));
}

TEST_F(MigrationsTest, CustomMigrationsApplyInOrderAndIncrementally) {
  auto s = open();
  std::vector<Migration> v1 = {migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")};
  EXPECT_EQ(applyMigrations(s, v1), 1);
  EXPECT_EQ(schemaVersion(s), 1);
  auto v3 = v1;
  v3.push_back(migration(2, "0002_b.sql", "CREATE TABLE b (y TEXT); INSERT INTO a VALUES (1);"));
  v3.push_back(migration(3, "0003_c.sql", "ALTER TABLE b ADD COLUMN z INTEGER;"));
  EXPECT_EQ(applyMigrations(s, v3), 2);
  EXPECT_EQ(schemaVersion(s), 3);
  EXPECT_TRUE(tableExists(s, "b"));
  int rows = 0;
  s << "SELECT COUNT(*) FROM a", into(rows), now;
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(applyMigrations(s, v3), 0);
}

TEST_F(MigrationsTest, EditedMigrationIsRefused) {
  auto s = open();
  std::vector<Migration> original = {migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"),
                                     migration(2, "0002_b.sql", "CREATE TABLE b (y INTEGER);")};
  applyMigrations(s, original);
  auto edited = original;
  edited[0] = migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER, extra TEXT);");
  edited.push_back(migration(3, "0003_c.sql", "CREATE TABLE c (z INTEGER);"));
  try {
    applyMigrations(s, edited);
    FAIL() << "an edited migration was accepted";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("0001_a.sql"), std::string::npos) << msg;
    EXPECT_NE(msg.find("edited"), std::string::npos) << msg;
  }
  EXPECT_EQ(schemaVersion(s), 2);
  EXPECT_FALSE(tableExists(s, "c"));  // nothing newer ran either
}

TEST_F(MigrationsTest, FailingMigrationRollsBack) {
  auto s = open();
  std::vector<Migration> ms = {
      migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"),
      migration(2, "0002_bad.sql",
                "CREATE TABLE partial (y INTEGER); INSERT INTO a VALUES (7); "
                "INSERT INTO no_such_table VALUES (1);"),
      migration(3, "0003_c.sql", "CREATE TABLE c (z INTEGER);"),
  };
  try {
    applyMigrations(s, ms);
    FAIL() << "the failing migration was not reported";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("0002_bad.sql"), std::string::npos) << msg;
    EXPECT_NE(msg.find("no_such_table"), std::string::npos) << msg;
  }
  EXPECT_EQ(schemaVersion(s), 1);
  EXPECT_TRUE(tableExists(s, "a"));
  EXPECT_FALSE(tableExists(s, "partial"));
  EXPECT_FALSE(tableExists(s, "c"));
  EXPECT_EQ(appliedRows(s), 1);
  int rows = -1;
  s << "SELECT COUNT(*) FROM a", into(rows), now;
  EXPECT_EQ(rows, 0);

  // Fixed, it applies on the next run.
  ms[1] = migration(2, "0002_bad.sql", "CREATE TABLE partial (y INTEGER);");
  EXPECT_EQ(applyMigrations(s, ms), 2);
  EXPECT_EQ(schemaVersion(s), 3);
  EXPECT_TRUE(tableExists(s, "partial"));
}

TEST_F(MigrationsTest, DatabaseClassMigratesOnOpen) {
  std::string path = dir / "nested/folder/strata.db";
  {
    SqliteDatabase db(path);
    EXPECT_EQ(db.path(), path);
    auto s = db.session();
    EXPECT_EQ(schemaVersion(s), embeddedMigrations().back().version);
    int fk = 0;
    s << "PRAGMA foreign_keys", into(fk), now;
    EXPECT_EQ(fk, 1);
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  SqliteDatabase again(path);  // reopening applies nothing and does not fail
  auto s = again.session();
  EXPECT_EQ(appliedRows(s), static_cast<int>(embeddedMigrations().size()));
}

}  // namespace
}  // namespace strata
