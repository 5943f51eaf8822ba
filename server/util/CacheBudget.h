#pragma once

#include <cstddef>

namespace strata {

/// How `cache.memoryMiB` is shared out among the in-memory caches, in bytes.
/// Every cache evicts its least recently used entries past its share, so the
/// caches together never hold more than the budget, however many images,
/// names and revisions pass through.
struct CacheBudget {
  static CacheBudget ofMiB(int memoryMiB) {
    std::size_t total = static_cast<std::size_t>(memoryMiB) << 20;
    auto share = [total](std::size_t percent) { return total / 100 * percent; };
    CacheBudget b;
    b.packageLists = share(25);
    b.smallBlobs = share(18);
    b.images = share(15);
    b.manifests = share(12);
    b.closures = share(10);
    b.blobVisibility = share(7);
    b.buildLogs = share(5);
    b.resolutions = share(4);
    b.declarations = share(2);
    b.blobSizes = share(1);
    b.failures = share(1);
    return b;
  }

  std::size_t packageLists = 0;    ///< package listings per source revision (web, search)
  std::size_t smallBlobs = 0;      ///< bodies of small blobs (configs, manifests, SBOMs)
  std::size_t images = 0;          ///< image records by cache key: warm pulls by tag
  std::size_t manifests = 0;       ///< image records by (name, manifest digest): pulls by digest
  std::size_t closures = 0;        ///< closure graphs: policies on warm pulls
  std::size_t blobVisibility = 0;  ///< (name, blob digest) pairs known visible
  std::size_t buildLogs = 0;       ///< log lines of the recent builds (BuildLog)
  std::size_t resolutions = 0;     ///< the last resolution written per (name, tag)
  std::size_t declarations = 0;    ///< declared images per source revision
  std::size_t blobSizes = 0;       ///< S3: sizes of blobs
  std::size_t failures = 0;        ///< recent build failures
};

}  // namespace strata
