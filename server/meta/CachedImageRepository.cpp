#include "meta/CachedImageRepository.h"

namespace strata {

std::optional<ImageRecord> CachedImageRepository::findByManifestDigest(const std::string& name,
                                                                       const std::string& digest) {
  NameAndDigest key{name, digest};
  if (auto cached = byDigest_.get(key)) return cached;
  auto found = inner_.findByManifestDigest(name, digest);
  if (found) byDigest_.put(key, *found);
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
