#include "storage/GarbageCollector.h"

#include <ctime>
#include <vector>

#include "meta/BuildRepository.h"
#include "meta/ImageRepository.h"
#include "storage/BlobStore.h"

namespace strata {

GarbageCollection collectGarbage(BlobStore& store, const std::set<std::string>& keep,
                                 std::int64_t now, std::int64_t minAgeSeconds) {
  std::vector<StoredBlob> doomed;
  store.list([&](const StoredBlob& blob) {
    if (keep.count(blob.digest.str()) == 0 && blob.modifiedAt <= now - minAgeSeconds)
      doomed.push_back(blob);
  });
  GarbageCollection result;
  for (const auto& blob : doomed) {
    store.remove(blob.digest);
    ++result.removed;
    result.bytes += blob.size;
  }
  return result;
}

std::optional<GarbageCollection> BlobCollector::collect() {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  // The lease outlasts any collection; it is given back at the end.
  if (!deps_.leases.takeLease("gc", owner_, now, now + deps_.minAgeSeconds)) return std::nullopt;
  struct Release {
    BlobCollector& c;
    ~Release() {
      try {
        c.deps_.leases.releaseLease("gc", c.owner_);
      } catch (...) {
        // It expires.
      }
    }
  } release{*this};
  // Referenced blobs are read before the listing: a build recording its image
  // in between wrote its blobs less than minAgeSeconds ago, so they stay.
  std::set<std::string> keep;
  for (const auto& d : deps_.images.referencedBlobs()) keep.insert(d);
  return collectGarbage(deps_.blobs, keep, now, deps_.minAgeSeconds);
}

}  // namespace strata
