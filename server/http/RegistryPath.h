#pragma once

#include <string>
#include <string_view>

namespace strata {

/// A request path under /v2/, split into what the distribution API routes on.
struct RegistryPath {
  enum class Kind { Base, Catalog, Tags, Manifest, Blob, Upload, Unknown };
  Kind kind = Kind::Unknown;
  std::string name;       ///< repository name (not validated here)
  std::string reference;  ///< tag or digest (Manifest), digest (Blob)
};

/// Splits "/v2/<name>/manifests/<ref>" and friends. Names may hold slashes, so
/// the route keyword is searched from the end. The query string must be gone.
RegistryPath parseRegistryPath(std::string_view path);

}  // namespace strata
