#pragma once

// The engines the repository tests of meta/sql/ run on. SQLite always;
// PostgreSQL when STRATA_TEST_POSTGRESQL holds a libpq connection string to a
// server where the tests may create databases (tests/integration/
// test_postgresql.sh starts one and runs these tests with it).

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../../support/TestSupport.h"
#include "meta/postgresql/PostgresDatabase.h"
#include "meta/sqlite/SqliteDatabase.h"

namespace strata::test {

inline const char* postgresServer() {
  const char* conn = std::getenv("STRATA_TEST_POSTGRESQL");
  return conn != nullptr && *conn != '\0' ? conn : nullptr;
}

inline std::vector<std::string> testEngines() {
  std::vector<std::string> engines{"sqlite"};
  if (postgresServer()) engines.push_back("postgresql");
  return engines;
}

inline std::string engineName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

/// A fresh, migrated database of one engine, removed with the object.
class TestDatabase {
 public:
  explicit TestDatabase(std::string engine) : engine_(std::move(engine)) {
    if (engine_ == "postgresql") {
      static std::atomic<int> counter{0};
      name_ = "strata_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
      Poco::Data::PostgreSQL::Connector::registerConnector();
      Poco::Data::Session admin("PostgreSQL", postgresServer());
      admin << "CREATE DATABASE " + name_, Poco::Data::Keywords::now;
    }
    db_ = open();
  }
  ~TestDatabase() {
    db_.reset();
    if (engine_ == "postgresql") {
      Poco::Data::Session admin("PostgreSQL", postgresServer());
      admin << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", Poco::Data::Keywords::now;
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  SqlDatabase& db() { return *db_; }
  /// The same data opened again, as another process (or replica) opens it.
  std::unique_ptr<SqlDatabase> open() const {
    if (engine_ == "postgresql") return std::make_unique<PostgresDatabase>(connection(), "");
    return std::make_unique<SqliteDatabase>(dir_ / "strata.db");
  }
  /// The libpq connection string of this test's database (PostgreSQL).
  std::string connection() const { return std::string(postgresServer()) + " dbname=" + name_; }

 private:
  std::string engine_;
  TempDir dir_;
  std::string name_;
  std::unique_ptr<SqlDatabase> db_;
};

}  // namespace strata::test
