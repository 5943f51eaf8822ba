#pragma once

#include <string>
#include <vector>

#include "util/Embedded.h"

namespace strata {

/// One numbered, forward-only schema change of an engine.
struct Migration {
  int version = 0;
  std::string name;  ///< file name, e.g. "0001_init.sql"
  std::string sql;
  std::string checksum;  ///< sha256 hex of sql
};

/// Migrations from embedded files named NNNN_*.sql, ordered by version.
/// Throws std::logic_error when a name does not start with a 4-digit version
/// or a version repeats.
std::vector<Migration> migrationsFrom(const std::vector<EmbeddedFile>& files);

}  // namespace strata
