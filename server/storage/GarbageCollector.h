#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace strata {

class BlobStore;

struct GarbageCollection {
  std::size_t removed = 0;
  std::uint64_t bytes = 0;
};

/// Removes every blob of `store` whose digest ("sha256:…") is not in `keep`
/// and that is older than `minAgeSeconds` at `now`: a build in progress
/// writes its blobs before it records them, so young blobs wait for the next
/// collection. Works on any BlobStore through its listing.
GarbageCollection collectGarbage(BlobStore& store, const std::set<std::string>& keep,
                                 std::int64_t now, std::int64_t minAgeSeconds);

}  // namespace strata
