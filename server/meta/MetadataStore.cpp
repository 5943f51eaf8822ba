#include "meta/MetadataStore.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "config/Config.h"
#include "meta/postgresql/PostgresDatabase.h"
#include "meta/sql/SqlMetadataStore.h"
#include "meta/sqlite/SqliteDatabase.h"

namespace strata {
namespace {

std::string readPassword(const std::string& file) {
  if (file.empty()) return "";
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("database.postgresql.passwordFile: cannot read '" + file + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string password = ss.str();
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  return password;
}

}  // namespace

std::unique_ptr<MetadataStore> openMetadataStore(const Config& config) {
  CacheBudget budget = CacheBudget::ofMiB(config.cache.memoryMiB);
  if (config.databaseBackend == "sqlite")
    return std::make_unique<SqlMetadataStore>(std::make_unique<SqliteDatabase>(config.databasePath),
                                              budget);
  if (config.databaseBackend == "postgresql")
    return std::make_unique<SqlMetadataStore>(
        std::make_unique<PostgresDatabase>(config.postgresql.connection,
                                           readPassword(config.postgresql.passwordFile),
                                           config.postgresql.maxConnections),
        budget);
  throw std::runtime_error("database.backend: unknown backend '" + config.databaseBackend +
                           "' (known: sqlite, postgresql)");
}

}  // namespace strata
