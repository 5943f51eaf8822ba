#include "meta/CachedImageRepository.h"

namespace strata {

std::optional<ImageRecord> CachedImageRepository::findByManifestDigest(const std::string& name,
                                                                       const std::string& digest) {
  NameAndDigest key{name, digest};
  if (auto cached = byDigest_.get(key)) return cached;
  auto found = inner_.findByManifestDigest(name, digest);
  // An image without its SBOM is completed on its next pull (migration 0005):
  // only the completed record is final.
  if (found && (!found->sbomDigest.empty() || found->isIndex())) byDigest_.put(key, *found);
  return found;
}

bool CachedImageRepository::blobVisible(const std::string& name, const std::string& digest) {
  NameAndDigest key{name, digest};
  if (visibleBlobs_.get(key)) return true;
  if (!inner_.blobVisible(name, digest)) return false;
  visibleBlobs_.put(key, true);
  return true;
}

}  // namespace strata
