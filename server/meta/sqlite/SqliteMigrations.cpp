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
  std::vector<Migration> out;
  for (const auto& f : embedded_migrations::files()) {
    if (f.name.size() < 6 || f.name[4] != '_' ||
        !std::all_of(f.name.begin(), f.name.begin() + 4, ::isdigit))
      throw std::logic_error("migration file name must start with NNNN_: " + f.name);
    Migration m{std::stoi(f.name.substr(0, 4)), f.name, f.content, Sha256::hex(f.content)};
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version)
      throw std::logic_error("two migrations have version " + std::to_string(out[i].version));
  return out;
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
