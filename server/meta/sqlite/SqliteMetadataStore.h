#pragma once

#include <string>

#include "meta/CachedImageRepository.h"
#include "meta/MetadataStore.h"
#include "meta/sqlite/SqliteAuthRepository.h"
#include "meta/sqlite/SqliteDatabase.h"
#include "meta/sqlite/SqliteImageRepository.h"

namespace strata {

/// The metadata store on one SQLite file (WAL mode): the embedded default.
class SqliteMetadataStore : public MetadataStore {
 public:
  explicit SqliteMetadataStore(const std::string& path)
      : database_(path), images_(database_), cachedImages_(images_), auth_(database_) {}

  ImageRepository& images() override { return cachedImages_; }
  AuthRepository& auth() override { return auth_; }
  std::string describe() const override { return "sqlite " + database_.path(); }

 private:
  SqliteDatabase database_;
  SqliteImageRepository images_;
  CachedImageRepository cachedImages_;
  SqliteAuthRepository auth_;
};

}  // namespace strata
