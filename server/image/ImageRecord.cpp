#include "image/ImageRecord.h"

#include <algorithm>

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

}  // namespace strata
