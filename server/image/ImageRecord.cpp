#include "image/ImageRecord.h"

#include "image/Referrers.h"

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

const Referrer* ImageRecord::referrer(const std::string& digest) const {
  for (const auto& r : referrers)
    if (r.digest == digest) return &r;
  return nullptr;
}

}  // namespace strata
