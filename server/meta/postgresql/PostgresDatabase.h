#pragma once

#include <memory>
#include <string>
#include <vector>

#include "meta/Migration.h"
#include "meta/sql/SqlDatabase.h"

namespace Poco::Data {
class SessionPool;
}

namespace strata {

/// The PostgreSQL metadata database through Poco::Data: a pool of
/// connections, statements with numbered placeholders. Opening applies
/// pending migrations (migrations/postgresql/) in one transaction that holds
/// an advisory lock, so that replicas starting at once migrate once.
class PostgresDatabase : public SqlDatabase {
 public:
  /// `connection`: a libpq connection string; `password`, when not empty, is
  /// added to it (never shown). Throws std::runtime_error in one line when
  /// the server cannot be reached or refuses, or the schema is newer.
  PostgresDatabase(const std::string& connection, const std::string& password,
                   int maxConnections = 16);
  ~PostgresDatabase() override;

  Poco::Data::Session session() override;
  std::string sql(std::string_view statement) const override;
  std::string describe() const override;

  /// Applies pending `migrations` (the embedded ones by default); returns how
  /// many. Throws std::runtime_error.
  int migrate(const std::vector<Migration>& migrations);
  /// The highest version applied; 0 for an empty database.
  int schemaVersion();

 private:
  std::string connection_;  ///< with the password
  std::string shown_;       ///< without it
  std::unique_ptr<Poco::Data::SessionPool> pool_;
};

/// The PostgreSQL migrations compiled into the binary, ordered by version.
std::vector<Migration> embeddedPostgresMigrations();

/// `value` quoted for a libpq connection string.
std::string conninfoQuoted(const std::string& value);

}  // namespace strata
