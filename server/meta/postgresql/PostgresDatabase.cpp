#include "meta/postgresql/PostgresDatabase.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/SessionPool.h>
#include <libpq-fe.h>

#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <thread>

#include "util/Error.h"

namespace strata {
namespace {

/// Any advisory lock key will do, as long as every replica uses this one.
constexpr long long kMigrationLock = 0x5354524154414d31LL;  // "STRATAM1"

std::string oneLine(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

/// Runs SQL (possibly several statements) on a raw connection; throws with
/// PostgreSQL's message.
void exec(PGconn* conn, const std::string& sql, const std::string& what) {
  PGresult* r = PQexec(conn, sql.c_str());
  auto status = PQresultStatus(r);
  std::string error = PQresultErrorMessage(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(what + ": " + oneLine(error));
}

PGconn* rawConnection(Poco::Data::Session& session) {
  auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session.impl());
  if (impl == nullptr) throw std::logic_error("not a PostgreSQL session");
  return impl->handle();
}

}  // namespace

std::string conninfoQuoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::vector<Migration> embeddedPostgresMigrations() {
  return migrationsFrom(embedded_postgresql_migrations::files());
}

PostgresDatabase::PostgresDatabase(const std::string& connection, const std::string& password,
                                   int maxConnections)
    : connection_(connection), shown_(connection) {
  static std::once_flag registered;
  std::call_once(registered, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
  // A password written into the connection string is not shown either.
  shown_ = std::regex_replace(shown_, std::regex(R"(password\s*=\s*('([^'\\]|\\.)*'|\S*))"),
                              "password=***");
  if (!password.empty()) connection_ += " password=" + conninfoQuoted(password);
  try {
    pool_ =
        std::make_unique<Poco::Data::SessionPool>("PostgreSQL", connection_, 1, maxConnections, 60);
    migrate(embeddedPostgresMigrations());
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("database.postgresql: cannot use '" + shown_ +
                             "': " + oneLine(e.displayText()));
  } catch (const std::exception& e) {
    throw std::runtime_error("database.postgresql: '" + shown_ + "': " + oneLine(e.what()));
  }
}

PostgresDatabase::~PostgresDatabase() = default;

Poco::Data::Session PostgresDatabase::session() {
  // Poco's pool throws when every connection is in use: wait a little for one.
  for (int attempt = 0;; ++attempt) {
    try {
      return pool_->get();
    } catch (const Poco::Data::SessionPoolExhaustedException&) {
      if (attempt == 500)
        throw Error(ErrorKind::StorageUnavailable, "the metadata database is busy",
                    "every connection of the pool was in use for 5 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } catch (const Poco::Exception& e) {
      throw Error(ErrorKind::StorageUnavailable, "the metadata database failed",
                  oneLine(e.displayText()));
    }
  }
}

std::string PostgresDatabase::sql(std::string_view statement) const {
  return numberedPlaceholders(statement);
}

std::string PostgresDatabase::describe() const {
  return "postgresql " + shown_;
}

int PostgresDatabase::schemaVersion() {
  auto s = pool_->get();
  int version = 0;
  using namespace Poco::Data::Keywords;
  s << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(version), now;
  return version;
}

int PostgresDatabase::migrate(const std::vector<Migration>& migrations) {
  // A connection of its own: the migration files hold several statements,
  // which only the simple query protocol runs.
  Poco::Data::Session session("PostgreSQL", connection_);
  PGconn* conn = rawConnection(session);
  // "relation … already exists, skipping" and alike are not for the operator.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  exec(conn, "BEGIN", "starting the migrations");
  try {
    // Held until COMMIT: another replica migrating at once waits here, then
    // finds nothing left to do.
    exec(conn, "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")",
         "locking the migrations");
    exec(conn,
         "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT "
         "NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
         "creating schema_migrations");
    std::map<int, std::string> applied;
    PGresult* r = PQexec(conn, "SELECT version, checksum FROM schema_migrations");
    for (int i = 0; i < PQntuples(r); ++i)
      applied[std::stoi(PQgetvalue(r, i, 0))] = PQgetvalue(r, i, 1);
    PQclear(r);
    int current = applied.empty() ? 0 : applied.rbegin()->first;
    if (current > newest)
      throw std::runtime_error("the database is at schema version " + std::to_string(current) +
                               ", newer than this strata binary knows (" + std::to_string(newest) +
                               "): run a newer strata");
    int count = 0;
    for (const auto& m : migrations) {
      auto it = applied.find(m.version);
      if (it != applied.end()) {
        if (it->second != m.checksum)
          throw std::runtime_error("migration " + m.name +
                                   " was edited after it was applied to this database (checksum "
                                   "differs); add a new migration instead of editing an old one");
        continue;
      }
      exec(conn, m.sql, "applying migration " + m.name);
      std::string version = std::to_string(m.version),
                  at = std::to_string(static_cast<long long>(std::time(nullptr)));
      const char* values[] = {version.c_str(), m.name.c_str(), m.checksum.c_str(), at.c_str()};
      PGresult* ins = PQexecParams(
          conn,
          "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, "
          "$3, $4)",
          4, nullptr, values, nullptr, nullptr, 0);
      bool ok = PQresultStatus(ins) == PGRES_COMMAND_OK;
      std::string error = PQresultErrorMessage(ins);
      PQclear(ins);
      if (!ok) throw std::runtime_error("recording migration " + m.name + ": " + oneLine(error));
      ++count;
    }
    exec(conn, "COMMIT", "committing the migrations");
    return count;
  } catch (...) {
    PGresult* rb = PQexec(conn, "ROLLBACK");
    PQclear(rb);
    throw;
  }
}

}  // namespace strata
