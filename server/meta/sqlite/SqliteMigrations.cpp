#include "meta/sqlite/SqliteMigrations.h"

#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>

#include "util/Embedded.h"
#include "util/Sha256.h"

namespace strata {

using namespace Poco::Data::Keywords;

namespace {

void exec(sqlite3* db, const std::string& sql, const std::string& what) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(what + ": " + msg);
  }
}

}  // namespace

std::vector<Migration> embeddedMigrations() {
  return migrationsFrom(embedded_migrations::files());
}

int schemaVersion(Poco::Data::Session& session) {
  int version = 0;
  session << "PRAGMA user_version", into(version), now;
  return version;
}

int applyMigrations(Poco::Data::Session& session, const std::vector<Migration>& migrations) {
  sqlite3* db = Poco::Data::SQLite::Utility::dbHandle(session);
  int current = schemaVersion(session);
  int newest = migrations.empty() ? 0 : migrations.back().version;
  if (current > newest)
    throw std::runtime_error("the database is at schema version " + std::to_string(current) +
                             ", newer than this strata binary knows (" + std::to_string(newest) +
                             "): run a newer strata");

  exec(db,
       "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
       "NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)",
       "creating schema_migrations");

  std::map<int, std::string> applied;  // version -> checksum
  {
    std::vector<int> versions;
    std::vector<std::string> sums;
    session << "SELECT version, checksum FROM schema_migrations ORDER BY version", into(versions),
        into(sums), now;
    for (std::size_t i = 0; i < versions.size(); ++i) applied[versions[i]] = sums[i];
  }
  for (const auto& m : migrations) {
    if (m.version > current) break;
    auto it = applied.find(m.version);
    if (it != applied.end() && it->second != m.checksum)
      throw std::runtime_error("migration " + m.name +
                               " was edited after it was applied to this database (checksum "
                               "differs); add a new migration instead of editing an old one");
  }

  int count = 0;
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    exec(db, "BEGIN IMMEDIATE", "starting migration " + m.name);
    try {
      exec(db, m.sql, "applying migration " + m.name);
      Poco::Int64 now_ = static_cast<Poco::Int64>(std::time(nullptr));
      int version = m.version;
      std::string name = m.name, sum = m.checksum;
      session
          << "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, "
             "?, ?)",
          use(version), use(name), use(sum), use(now_), now;
      exec(db, "PRAGMA user_version = " + std::to_string(m.version), "recording " + m.name);
      exec(db, "COMMIT", "committing migration " + m.name);
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    ++count;
  }
  return count;
}

}  // namespace strata
