#pragma once

#include <stdexcept>
#include <string>

namespace strata {

/// What went wrong, independent of the protocol. The HTTP layer maps each kind
/// to a status and a distribution error code (http/ErrorMapping).
enum class ErrorKind {
  BadRequest,         ///< malformed request or parameter
  InvalidPagination,  ///< n or last of a list request
  InvalidRange,       ///< unsatisfiable Range header
  InvalidName,        ///< repository name does not follow the grammar
  InvalidTag,         ///< tag or ref not acceptable
  InvalidDigest,      ///< digest malformed or unsupported algorithm
  UnknownName,        ///< no source serves the name, or name unknown
  UnknownManifest,    ///< unknown tag, ref, revision, package, manifest
  UnknownBlob,
  Unauthorized,
  Denied,
  Unsupported,         ///< push and other unsupported operations
  Busy,                ///< build queue full
  SourceUnavailable,   ///< a package source cannot be reached and has no local answer
  StorageUnavailable,  ///< the blob store or the metadata database failed
  StorageFull,         ///< no space left where blobs or metadata are written
  ShuttingDown,        ///< the server is stopping: work in flight was cancelled
  BuildFailed,
  BuildTimeout,
  Internal,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, std::string detail = {})
      : std::runtime_error(std::move(message)), kind_(kind), detail_(std::move(detail)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& detail() const { return detail_; }

 private:
  ErrorKind kind_;
  std::string detail_;
};

}  // namespace strata
