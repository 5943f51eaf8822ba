#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata::sdk {

/// One store path of an image's runtime closure, as Nix reports it.
struct StorePath {
  std::string path;                     ///< "/nix/store/<hash>-<name>"
  std::uint64_t narSize = 0;            ///< bytes of the path's NAR serialisation
  std::vector<std::string> references;  ///< other paths of the closure; never itself
  std::uint64_t popularity = 0;         ///< how many packages depend on it (0 = unknown)
  std::string narHash;                  ///< "sha256:<64 hex digits>"; empty when unknown
};

/// The runtime closure of the packages of one image.
struct ClosureGraph {
  std::vector<StorePath> paths;    ///< every path of the closure, sorted by path
  std::vector<std::string> roots;  ///< the output paths of the requested packages, sorted
};

}  // namespace strata::sdk
