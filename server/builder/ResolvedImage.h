#pragma once

#include <string>

#include "config/Config.h"
#include "image/Codec.h"
#include "image/ImageName.h"

namespace strata {

/// An image request at an immutable revision of its source: everything a
/// build needs, and the key its result is cached under.
struct ResolvedImage {
  ImageRequest request;
  std::string revision;    ///< git commit or content hash
  std::string packageSet;  ///< absolute path of the package set at that revision
  LayeringChoice layering;
  Codec codec = Codec::Gzip;
  ImageFormat format = ImageFormat::Layers;
  std::string key;    ///< imageCacheKey() of all of the above
  std::string tag;    ///< as requested; empty when rebuilding by revision
  std::string label;  ///< shown in the build log, e.g. "demo/hello:latest"
};

/// The cache key of an image index: that of its images, in platform order.
std::string indexCacheKey(const std::vector<std::string>& imageKeys);

/// The cache key of an image: the same inputs give the same key everywhere.
std::string imageCacheKey(const std::string& source, const std::string& revision,
                          const std::vector<std::string>& packages, const std::string& arch,
                          const std::string& strategy, int maxLayers, Codec codec = Codec::Gzip,
                          ImageFormat format = ImageFormat::Layers,
                          const std::string& imagesAttribute = "images");

}  // namespace strata
