#include "storage/GarbageCollector.h"

#include <ctime>
#include <stdexcept>
#include <vector>

#include "meta/BuildRepository.h"
#include "meta/ImageRepository.h"
#include "storage/BlobStore.h"

namespace strata {

GarbageCollection collectGarbage(BlobStore& store, const std::set<std::string>& keep,
                                 std::int64_t now, std::int64_t minAgeSeconds,
                                 const std::function<void()>& progress) {
  std::vector<StoredBlob> doomed;
  store.list([&](const StoredBlob& blob) {
    if (progress) progress();
    if (keep.count(blob.digest.str()) == 0 && blob.modifiedAt <= now - minAgeSeconds)
      doomed.push_back(blob);
  });
  GarbageCollection result;
  for (const auto& blob : doomed) {
    if (progress) progress();
    store.remove(blob.digest);
    ++result.removed;
    result.bytes += blob.size;
  }
  return result;
}

std::optional<GarbageCollection> BlobCollector::collect() {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  // A short lease, renewed while collecting and given back at the end: a
  // replica killed mid-collection holds up the others for kLeaseSeconds, not
  // for as long as any collection could last.
  if (!deps_.leases.takeLease("gc", owner_, now, now + kLeaseSeconds)) return std::nullopt;
  std::int64_t renewed = now;
  auto renew = [&] {
    auto t = static_cast<std::int64_t>(std::time(nullptr));
    if (t - renewed < kLeaseSeconds / 3) return;
    if (!deps_.leases.takeLease("gc", owner_, t, t + kLeaseSeconds))
      throw std::runtime_error("the gc lease went to another replica during the collection");
    renewed = t;
  };
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
  return collectGarbage(deps_.blobs, keep, now, deps_.minAgeSeconds, renew);
}

}  // namespace strata
