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
                          ImageFormat format, const std::string& imagesAttribute) {
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
  // Sources that keep the default attribute keep the keys they had before
  // images could be declared.
  if (imagesAttribute != "images") h.update("images=" + imagesAttribute + "\n");
  for (const auto& p : packages) {
    h.update(p);
    h.update("\n", 1);
  }
  return h.hexDigest();
}

}  // namespace strata
