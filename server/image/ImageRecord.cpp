#include "image/ImageRecord.h"

#include <algorithm>

#include "image/Referrers.h"
#include "util/MemoryBytes.h"

namespace strata {

std::vector<std::string> ImageRecord::ownBlobs() const {
  if (isIndex()) return {ociDigest, dockerDigest};
  std::vector<std::string> blobs{configDigest, ociDigest, dockerDigest};
  if (!sbomDigest.empty()) {
    blobs.push_back(sbomDigest);
    blobs.push_back(kEmptyJsonDigest);
  }
  for (const auto& r : referrers) blobs.push_back(r.digest);
  return blobs;
}

std::vector<std::string> ImageRecord::platforms() const {
  std::vector<std::string> out;
  for (std::size_t start = 0; start <= arch.size();) {
    auto comma = std::min(arch.find(',', start), arch.size());
    out.push_back(arch.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string ImageRecord::joinPlatforms(const std::vector<std::string>& archs) {
  std::string joined;
  for (const auto& a : archs) joined += (joined.empty() ? "" : ",") + a;
  return joined;
}

const Referrer* ImageRecord::referrer(const std::string& digest) const {
  for (const auto& r : referrers)
    if (r.digest == digest) return &r;
  return nullptr;
}

// Internal linkage in this namespace (not an unnamed one), so that these
// overloads and MemoryBytes.h's are found together.
static std::size_t heapBytes(const Referrer& r) {
  return heapBytes(r.subject) + heapBytes(r.digest) + heapBytes(r.mediaType) +
         heapBytes(r.artifactType);
}

std::size_t heapBytes(const ImageRecord& i) {
  std::size_t n = 0;
  for (const std::string* s : {&i.cacheKey, &i.source, &i.revision, &i.arch, &i.strategy,
                               &i.configDigest, &i.ociDigest, &i.dockerDigest, &i.sbomDigest})
    n += heapBytes(*s);
  n += heapBytes(i.packages) + heapBytes(i.contents) + heapBytes(i.platformImages);
  n += i.referrers.capacity() * sizeof(Referrer);
  for (const auto& r : i.referrers) n += heapBytes(r);
  return n;
}

}  // namespace strata
