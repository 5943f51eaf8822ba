#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <Poco/Data/Session.h>

#include "meta/sql/SqlDatabase.h"

namespace Poco::Data {
class SessionPool;
}

namespace strata {

/// The SQLite metadata database through Poco::Data. Hands out pooled
/// sessions; every statement binds its values, none is built from input.
class SqliteDatabase : public SqlDatabase {
 public:
  /// Opens (creating the file and its folder) and applies pending migrations.
  explicit SqliteDatabase(const std::string& path);
  ~SqliteDatabase();

  Poco::Data::Session session() override;
  std::string sql(std::string_view statement) const override { return std::string(statement); }
  std::string describe() const override { return "sqlite " + path_; }
  const std::string& path() const { return path_; }

 private:
  /// A session, once SQLite's quick_check found the file sound. Throws,
  /// naming the file, when it is damaged or no database at all.
  Poco::Data::Session checkedSession();
  std::string path_;
  std::unique_ptr<Poco::Data::SessionPool> pool_;
};

}  // namespace strata
