#pragma once

#include <string>
#include <string_view>

#include <Poco/Data/Session.h>

namespace strata {

/// A migrated SQL database the repositories of meta/sql/ run on: sessions
/// from a pool, and the engine's way of writing a statement. The statements
/// are written once, with '?' placeholders and SQL both engines take
/// (INSERT … ON CONFLICT, COALESCE, LIMIT); sql() rewrites the placeholders
/// where the engine wants others. One implementation per engine.
class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;
  virtual Poco::Data::Session session() = 0;
  /// `statement` in the engine's placeholder syntax.
  virtual std::string sql(std::string_view statement) const = 0;
  /// The engine and where its data is, for the log.
  virtual std::string describe() const = 0;
};

/// '?' placeholders numbered as `$1`, `$2`, … (PostgreSQL), leaving quoted
/// literals alone.
std::string numberedPlaceholders(std::string_view statement);

}  // namespace strata
