#include "builder/ResolvedImage.h"

#include "util/Sha256.h"

namespace strata {

std::string indexCacheKey(const std::vector<std::string>& imageKeys) {
  Sha256 h;
  h.update("strata-index-v1\n");
  for (const auto& key : imageKeys) {
    h.update(key);
    h.update("\n", 1);
  }
  return h.hexDigest();
}

std::string imageCacheKey(const std::string& source, const std::string& revision,
                          const std::vector<std::string>& packages, const std::string& arch,
                          const std::string& strategy, int maxLayers, Codec codec,
                          ImageFormat format) {
  Sha256 h;
  h.update("strata-image-v1\n");
  for (const auto& field : {source, revision, arch, strategy, std::to_string(maxLayers)}) {
    h.update(field);
    h.update("\n", 1);
  }
  // gzip images keep the keys they had before compression was a choice.
  if (codec != Codec::Gzip) h.update(std::string("compression=") + codecName(codec) + "\n");
  if (format != ImageFormat::Layers)
    h.update(std::string("format=") + imageFormatName(format) + "\n");
  for (const auto& p : packages) {
    h.update(p);
    h.update("\n", 1);
  }
  return h.hexDigest();
}

}  // namespace strata
