#pragma once

#include <string>
#include <vector>

#include <Poco/Data/Session.h>

namespace strata {

struct Migration {
  int version = 0;
  std::string name;  ///< file name, e.g. "0001_init.sql"
  std::string sql;
  std::string checksum;  ///< sha256 hex of sql
};

/// The migrations compiled into the binary, ordered by version. Throws when a
/// file name does not start with a 4-digit version or a version repeats.
std::vector<Migration> embeddedMigrations();

/// Brings the database to the newest known version: each pending migration in
/// its own transaction, with PRAGMA user_version and a row in
/// schema_migrations (name, checksum). Refuses a database newer than the
/// binary and one whose applied migrations were edited since.
/// Returns the number of migrations applied.
int applyMigrations(Poco::Data::Session& session,
                    const std::vector<Migration>& migrations = embeddedMigrations());

int schemaVersion(Poco::Data::Session& session);

}  // namespace strata
