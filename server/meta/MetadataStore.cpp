#include "meta/MetadataStore.h"

#include <stdexcept>

#include "config/Config.h"
#include "meta/sqlite/SqliteMetadataStore.h"

namespace strata {

std::unique_ptr<MetadataStore> openMetadataStore(const Config& config) {
  if (config.databaseBackend == "sqlite")
    return std::make_unique<SqliteMetadataStore>(config.databasePath);
  throw std::runtime_error("database.backend: unknown backend '" + config.databaseBackend +
                           "' (known: sqlite)");
}

}  // namespace strata
