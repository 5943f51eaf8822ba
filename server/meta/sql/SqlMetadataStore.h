#pragma once

#include <memory>
#include <string>

#include "meta/CachedImageRepository.h"
#include "meta/MetadataStore.h"
#include "meta/sql/SqlAuthRepository.h"
#include "meta/sql/SqlBuildRepository.h"
#include "meta/sql/SqlDatabase.h"
#include "meta/sql/SqlImageRepository.h"
#include "util/CacheBudget.h"

namespace strata {

/// The metadata store on any SQL engine: the repositories of meta/sql/ on an
/// opened, migrated database, with immutable answers cached in memory.
class SqlMetadataStore : public MetadataStore {
 public:
  SqlMetadataStore(std::unique_ptr<SqlDatabase> database, const CacheBudget& budget)
      : database_(std::move(database)),
        images_(*database_),
        cachedImages_(images_, budget.manifests, budget.blobVisibility),
        auth_(*database_),
        builds_(*database_) {}

  ImageRepository& images() override { return cachedImages_; }
  AuthRepository& auth() override { return auth_; }
  BuildRepository& builds() override { return builds_; }
  std::string describe() const override { return database_->describe(); }
  SqlDatabase& database() { return *database_; }

 private:
  std::unique_ptr<SqlDatabase> database_;
  SqlImageRepository images_;
  CachedImageRepository cachedImages_;
  SqlAuthRepository auth_;
  SqlBuildRepository builds_;
};

}  // namespace strata
