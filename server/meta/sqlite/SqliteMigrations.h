#pragma once

#include <string>
#include <vector>

#include <Poco/Data/Session.h>

#include "meta/Migration.h"

namespace strata {

/// The SQLite migrations compiled into the binary (migrations/*.sql),
/// ordered by version.
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
