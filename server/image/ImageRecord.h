#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

/// A built image: the same content in both manifest formats.
struct ImageRecord {
  std::string cacheKey;
  std::string source;
  std::string revision;
  std::vector<std::string> packages;
  std::string arch;
  std::string strategy;
  std::string configDigest;
  std::string ociDigest;
  std::uint64_t ociSize = 0;
  std::string dockerDigest;
  std::uint64_t dockerSize = 0;
  std::int64_t createdAt = 0;

  /// Every blob of the image itself: config and both manifests (not the layers).
  std::vector<std::string> ownBlobs() const { return {configDigest, ociDigest, dockerDigest}; }
};

}  // namespace strata
