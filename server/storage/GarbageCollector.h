#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

namespace strata {

class BlobStore;
class BuildRepository;
class ImageRepository;

struct GarbageCollection {
  std::size_t removed = 0;
  std::uint64_t bytes = 0;
};

/// Removes every blob of `store` whose digest ("sha256:…") is not in `keep`
/// and that is older than `minAgeSeconds` at `now`: a build in progress
/// writes its blobs before it records them, so young blobs wait for the next
/// collection. Works on any BlobStore through its listing. `progress`, when
/// given, is called for every blob listed and removed (the lease's renewal).
GarbageCollection collectGarbage(BlobStore& store, const std::set<std::string>& keep,
                                 std::int64_t now, std::int64_t minAgeSeconds,
                                 const std::function<void()>& progress = {});

/// Garbage collection of the blobs no image or cached layer references, by
/// one replica at a time (the lease "gc" in the shared database), for
/// `strata admin gc` and the online collector alike.
class BlobCollector {
 public:
  struct Deps {
    ImageRepository& images;
    BlobStore& blobs;
    BuildRepository& leases;
    std::int64_t minAgeSeconds;
  };
  BlobCollector(Deps deps, std::string owner) : deps_(deps), owner_(std::move(owner)) {}

  /// Collects now; nothing (nullopt) when another replica is collecting.
  /// Throws strata::Error when the database or blob store fails.
  std::optional<GarbageCollection> collect();

  /// How long the lease "gc" lasts unless renewed (every third of it while
  /// collecting): a replica that dies collecting holds up the others this
  /// long at most.
  static constexpr std::int64_t kLeaseSeconds = 15;

 private:
  Deps deps_;
  std::string owner_;
};

}  // namespace strata
