#pragma once

#include <string>
#include <vector>

#include "util/MemoryBytes.h"

namespace strata {

/// One package of a package set's listing, as strata.nix's `listing` gives it.
struct PackageEntry {
  std::string attr;         ///< attribute path, e.g. "python3Packages.requests"
  std::string name;         ///< pname, else the derivation's name without its version
  std::string version;      ///< "" when there is none
  std::string description;  ///< meta.description, "" when there is none
};

/// The packages of a package set at one revision, sorted by attribute path.
struct PackageList {
  std::vector<PackageEntry> packages;
  bool truncated = false;  ///< the set holds more packages than were listed
};

inline std::size_t heapBytes(const PackageEntry& p) {
  return heapBytes(p.attr) + heapBytes(p.name) + heapBytes(p.version) + heapBytes(p.description);
}
inline std::size_t heapBytes(const PackageList& l) {
  return heapBytes(l.packages);
}

}  // namespace strata
