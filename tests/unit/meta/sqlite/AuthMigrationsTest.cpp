// Migration 0002_auth.sql: on an empty database, on a database at version 1
// holding data, and on a current database; the resulting schema against a
// golden dump (tests/unit/meta/sqlite/golden/schema.sql; regenerate with
// STRATA_UPDATE_GOLDEN=1 after adding a migration, and review the diff).

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "../../support/TestSupport.h"
#include "meta/sqlite/SqliteDatabase.h"
#include "meta/sqlite/SqliteMigrations.h"

namespace strata {
namespace {

using namespace Poco::Data::Keywords;

std::string goldenPath() {
  return std::string(STRATA_SOURCE_DIR) + "/tests/unit/meta/sqlite/golden/schema.sql";
}

/// Every table and index as SQLite stores its definition, sorted by name.
std::string schemaDump(Poco::Data::Session& s) {
  std::vector<std::string> types, names, sqls;
  s << "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE "
       "'sqlite_%' ORDER BY name",
      into(types), into(names), into(sqls), now;
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += "-- " + types[i] + " " + names[i] + "\n" + sqls[i] + ";\n\n";
  return out;
}

class AuthMigrationsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Poco::Data::SQLite::Connector::registerConnector(); }
  Poco::Data::Session open() { return Poco::Data::Session("SQLite", dir / "meta.db"); }

  std::vector<Migration> upTo(int version) {
    std::vector<Migration> out;
    for (auto& m : embeddedMigrations())
      if (m.version <= version) out.push_back(m);
    return out;
  }

  test::TempDir dir;
};

TEST_F(AuthMigrationsTest, AuthMigrationIsEmbeddedAsVersion2) {
  auto ms = embeddedMigrations();
  ASSERT_GE(ms.size(), 2u);
  EXPECT_EQ(ms[1].version, 2);
  EXPECT_EQ(ms[1].name, "0002_auth.sql");
}

TEST_F(AuthMigrationsTest, EmptyDatabaseGetsTheGoldenSchema) {
  auto s = open();
  applyMigrations(s);
  EXPECT_EQ(schemaVersion(s), embeddedMigrations().back().version);
  std::string dump = schemaDump(s);
  if (std::getenv("STRATA_UPDATE_GOLDEN")) {
    std::ofstream(goldenPath()) << dump;
    GTEST_SKIP() << "golden schema written to " << goldenPath();
  }
  EXPECT_EQ(dump, test::readFile(goldenPath()))
      << "the schema changed: if a new migration is intended, rerun with "
         "STRATA_UPDATE_GOLDEN=1 and review the diff";
  std::string anon;
  int builtin = 0;
  s << "SELECT name, builtin FROM teams", into(anon), into(builtin), now;
  EXPECT_EQ(anon, "anonymous");
  EXPECT_EQ(builtin, 1);
}

TEST_F(AuthMigrationsTest, UpgradesAVersion1DatabaseKeepingItsData) {
  {
    auto s = open();
    EXPECT_EQ(applyMigrations(s, upTo(1)), 1);
    s << "INSERT INTO images VALUES ('k', 'demo', 'r', '[]', 'amd64', 'popularity', 'c', 'o', 1, "
         "'d', 2, 3)",
        now;
  }
  auto s = open();
  EXPECT_EQ(schemaVersion(s), 1);
  EXPECT_EQ(applyMigrations(s), static_cast<int>(embeddedMigrations().size()) - 1);
  EXPECT_EQ(schemaVersion(s), embeddedMigrations().back().version);
  int images = 0, teams = 0;
  s << "SELECT COUNT(*) FROM images", into(images), now;
  s << "SELECT COUNT(*) FROM teams", into(teams), now;
  EXPECT_EQ(images, 1);
  EXPECT_EQ(teams, 1);
  // Same schema as a database migrated from empty.
  EXPECT_EQ(schemaDump(s), test::readFile(goldenPath()));
}

TEST_F(AuthMigrationsTest, CurrentDatabaseIsLeftAlone) {
  {
    SqliteDatabase db(dir / "strata.db");
    auto s = db.session();
    s << "INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 1)", now;
  }
  SqliteDatabase again(dir / "strata.db");  // applies nothing, keeps the rows
  auto s = again.session();
  EXPECT_EQ(applyMigrations(s), 0);
  int users = 0, anonymousTeams = 0;
  s << "SELECT COUNT(*) FROM users", into(users), now;
  s << "SELECT COUNT(*) FROM teams WHERE name = 'anonymous'", into(anonymousTeams), now;
  EXPECT_EQ(users, 1);
  EXPECT_EQ(anonymousTeams, 1);
}

TEST_F(AuthMigrationsTest, EditedAuthMigrationIsDetected) {
  auto s = open();
  applyMigrations(s);
  auto edited = embeddedMigrations();
  edited[1].sql += "\n-- edited\n";
  edited[1].checksum = "0000";
  try {
    applyMigrations(s, edited);
    FAIL() << "an edited 0002_auth.sql was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("0002_auth.sql"), std::string::npos) << e.what();
  }
}

TEST_F(AuthMigrationsTest, ForeignKeysCascadeFromUsersAndTeams) {
  SqliteDatabase db(dir / "strata.db");
  auto s = db.session();
  s << "INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 1)", now;
  s << "INSERT INTO teams (name, created_at) VALUES ('devs', 1)", now;
  s << "INSERT INTO memberships SELECT t.id, u.id, 1 FROM teams t, users u WHERE t.name = 'devs'",
      now;
  s << "INSERT INTO api_tokens (user_id, name, secret_hash, created_at) SELECT id, 'ci', 'x', 1 "
       "FROM users",
      now;
  s << "DELETE FROM users", now;
  int memberships = -1, tokens = -1;
  s << "SELECT COUNT(*) FROM memberships", into(memberships), now;
  s << "SELECT COUNT(*) FROM api_tokens", into(tokens), now;
  EXPECT_EQ(memberships, 0);
  EXPECT_EQ(tokens, 0);
}

}  // namespace
}  // namespace strata
