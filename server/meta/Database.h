#pragma once

#include <memory>
#include <string>

#include <Poco/Data/Session.h>

namespace Poco::Data {
class SessionPool;
}

namespace strata {

/// The metadata database (SQLite through Poco::Data). Hands out pooled
/// sessions; every statement binds its values, none is built from input.
class Database {
 public:
  /// Opens (creating the file and its folder) and applies pending migrations.
  explicit Database(const std::string& path);
  ~Database();

  Poco::Data::Session session();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<Poco::Data::SessionPool> pool_;
};

}  // namespace strata
