#include "storage/GarbageCollector.h"

#include <vector>

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

}  // namespace strata
