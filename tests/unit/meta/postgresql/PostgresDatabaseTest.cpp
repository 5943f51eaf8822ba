#include "meta/postgresql/PostgresDatabase.h"

#include <gtest/gtest.h>

#include <thread>

#include "../sql/TestDatabases.h"

namespace strata {
namespace {

using namespace Poco::Data::Keywords;

TEST(NumberedPlaceholders, NumbersQuestionMarksOutsideLiterals) {
  EXPECT_EQ(numberedPlaceholders("SELECT a FROM t WHERE b = ? AND c > ? LIMIT ?"),
            "SELECT a FROM t WHERE b = $1 AND c > $2 LIMIT $3");
  EXPECT_EQ(numberedPlaceholders("SELECT '?', 'it''s ?' FROM t WHERE x = ?"),
            "SELECT '?', 'it''s ?' FROM t WHERE x = $1");
  EXPECT_EQ(numberedPlaceholders("SELECT 1"), "SELECT 1");
}

TEST(ConninfoQuoted, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(conninfoQuoted("plain"), "'plain'");
  EXPECT_EQ(conninfoQuoted("it's a \\ secret"), "'it\\'s a \\\\ secret'");
}

TEST(PostgresDatabase, AnUnreachableServerIsOneLineWithoutThePassword) {
  try {
    PostgresDatabase db("host=127.0.0.1 port=1 dbname=strata user=strata connect_timeout=5",
                        "s3cret");
    ADD_FAILURE() << "connected to port 1";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("database.postgresql: cannot use 'host=127.0.0.1 port=1", 0), 0u) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
  }
}

// The rest needs a server (STRATA_TEST_POSTGRESQL).
class PostgresDatabaseTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    static int counter = 0;
    name = "strata_migrate_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    Poco::Data::Session admin("PostgreSQL", test::postgresServer());
    admin << "CREATE DATABASE " + name, now;
  }
  void TearDown() override {
    Poco::Data::Session admin("PostgreSQL", test::postgresServer());
    admin << "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", now;
  }
  std::string connection() const { return std::string(test::postgresServer()) + " dbname=" + name; }
  int rows(const std::string& sql) {
    Poco::Data::Session s("PostgreSQL", connection());
    int n = 0;
    s << sql, into(n), now;
    return n;
  }
  std::string name;
};

TEST_P(PostgresDatabaseTest, ReplicasStartingAtOnceMigrateOnce) {
  std::vector<std::thread> replicas;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i)
    replicas.emplace_back([&] {
      try {
        PostgresDatabase db(connection(), "");
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  for (auto& t : replicas) t.join();
  EXPECT_EQ(failures.load(), 0);
  const auto migrations = embeddedPostgresMigrations();
  EXPECT_EQ(rows("SELECT COUNT(*) FROM schema_migrations"), static_cast<int>(migrations.size()));
  EXPECT_EQ(rows("SELECT COUNT(*) FROM teams WHERE name = 'anonymous'"), 1)
      << "the data of a migration is inserted once";
  PostgresDatabase db(connection(), "");
  EXPECT_EQ(db.schemaVersion(), migrations.back().version);
  EXPECT_EQ(db.migrate(migrations), 0) << "nothing is left to apply";
}

TEST_P(PostgresDatabaseTest, ANewerSchemaIsRefused) {
  { PostgresDatabase db(connection(), ""); }
  {
    Poco::Data::Session s("PostgreSQL", connection());
    s << "INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x', 0)", now;
  }
  try {
    PostgresDatabase db(connection(), "");
    ADD_FAILURE() << "opened a database newer than this binary";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this strata binary knows"), std::string::npos)
        << e.what();
  }
}

TEST_P(PostgresDatabaseTest, AnEditedMigrationIsRefusedAndAFailingOneRollsBack) {
  PostgresDatabase db(connection(), "");
  auto edited = embeddedPostgresMigrations();
  edited[0].checksum = "edited";
  EXPECT_THROW(db.migrate(edited), std::runtime_error);
  auto more = embeddedPostgresMigrations();
  more.push_back({more.back().version + 1, "9999_good.sql", "CREATE TABLE good (x INTEGER);", "g"});
  more.push_back({more.back().version + 1, "9999_bad.sql", "CREATE TABLE bad (;", "b"});
  EXPECT_THROW(db.migrate(more), std::runtime_error);
  EXPECT_EQ(db.schemaVersion(), embeddedPostgresMigrations().back().version)
      << "the migrations ran in one transaction: none of them stays";
  EXPECT_EQ(rows("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'good'"), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, PostgresDatabaseTest,
                         ::testing::ValuesIn(test::postgresServer()
                                                 ? std::vector<std::string>{"postgresql"}
                                                 : std::vector<std::string>{}),
                         test::engineName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PostgresDatabaseTest);

}  // namespace
}  // namespace strata
