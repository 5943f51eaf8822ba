#pragma once

// Shared by the auth unit tests: a migrated database in a temporary folder,
// a configuration with two sources, and a cheap password hasher (the
// production cost is measured in PasswordHasherTest only).

#include <memory>
#include <string>

#include "../support/TestSupport.h"
#include "auth/PasswordHasher.h"
#include "config/Config.h"
#include "meta/AuthRepository.h"
#include "meta/sql/SqlAuthRepository.h"
#include "meta/sqlite/SqliteDatabase.h"

namespace strata::test {

inline Config authTestConfig(bool anonymousPull = false) {
  Config c;
  c.auth.enabled = true;
  c.auth.anonymousPull = anonymousPull;
  SourceConfig demo;
  demo.name = "demo";
  demo.prefix = "demo";
  demo.type = "path";
  demo.path = "/nonexistent";
  demo.metaPackages["shell"] = {"busybox"};
  SourceConfig np;
  np.name = "np";
  np.prefix = "np";
  np.type = "path";
  np.path = "/nonexistent";
  np.alwaysInclude = {"cacert"};
  c.sources = {demo, np};
  return c;
}

inline PasswordHasher cheapHasher() {
  return PasswordHasher(PasswordHasher::Params{1024, 8, 1});
}

/// A fresh migrated database and the auth repository on it.
struct AuthDb {
  TempDir dir;
  std::unique_ptr<SqliteDatabase> db = std::make_unique<SqliteDatabase>(dir / "strata.db");
  SqlAuthRepository sqlite{*db};
  AuthRepository& repo = sqlite;
};

}  // namespace strata::test
