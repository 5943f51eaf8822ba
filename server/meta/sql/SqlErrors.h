#pragma once

#include <Poco/Data/DataException.h>
#include <Poco/Net/NetException.h>

#include "util/Error.h"

namespace strata {

/// Runs a repository operation; a failing database (gone, refusing,
/// broken connection, a statement it cannot run) becomes
/// Error(StorageUnavailable), which clients see as 503, with the engine's
/// message as detail.
template <typename Fn>
auto guarded(Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Poco::Data::DataException& e) {
    // SQLite's SQLITE_FULL, PostgreSQL's ENOSPC: say so, as for blobs.
    const std::string text = e.displayText();
    if (text.find("database or disk is full") != std::string::npos ||
        text.find("No space left on device") != std::string::npos)
      throw Error(ErrorKind::StorageFull,
                  "the registry's storage is full: no space left in the metadata database",
                  "an administrator must free space or grow the database's volume");
    throw Error(ErrorKind::StorageUnavailable, "the metadata database failed", e.displayText());
  } catch (const Poco::Net::NetException& e) {
    throw Error(ErrorKind::StorageUnavailable, "the metadata database failed", e.displayText());
  }
}

}  // namespace strata
