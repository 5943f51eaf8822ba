#include "meta/sqlite/SqliteDatabase.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SessionPool.h>

#include <filesystem>
#include <mutex>

#include "meta/sqlite/SqliteMigrations.h"

namespace strata {

using namespace Poco::Data::Keywords;

SqliteDatabase::SqliteDatabase(const std::string& path) : path_(path) {
  static std::once_flag registered;
  std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  // As many sessions as the HTTP server has handler threads (HttpServer.cpp):
  // Poco's pool throws instead of waiting when it runs out.
  pool_ = std::make_unique<Poco::Data::SessionPool>("SQLite", path, 1, 256, 60);
  auto s = checkedSession();
  s << "PRAGMA journal_mode=WAL", now;
  applyMigrations(s);
}

SqliteDatabase::~SqliteDatabase() = default;

Poco::Data::Session SqliteDatabase::checkedSession() {
  // A damaged file would answer some queries and fail others, or lose
  // writes: better not to start on it at all.
  std::vector<std::string> problems;
  std::string reason;
  try {
    auto s = session();
    s << "PRAGMA quick_check(5)", into(problems), now;
    if (problems.empty() || problems.front() == "ok") return s;
  } catch (const Poco::Exception& e) {
    reason = e.displayText();
  }
  for (const auto& p : problems) reason += (reason.empty() ? "" : "; ") + p;
  throw std::runtime_error("the database file " + path_ + " is damaged (" + reason.substr(0, 300) +
                           "): restore it from a backup, or move it away to start empty");
}

Poco::Data::Session SqliteDatabase::session() {
  Poco::Data::Session s = pool_->get();
  // Several threads and `strata admin` may write at once: wait for the lock
  // rather than fail.
  s.setConnectionTimeout(10);
  s << "PRAGMA foreign_keys=ON", now;
  return s;
}

}  // namespace strata
