#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "util/Digest.h"

namespace strata {

/// A layer blob as the manifest and the image config describe it.
struct LayerBlob {
  Digest digest;  ///< of the compressed blob
  Digest diffId;  ///< of the uncompressed tar
  std::uint64_t size = 0;
  /// The descriptor's annotations in the manifest, in this order (OCI only;
  /// not part of the layer cache: they are derived from the image).
  std::vector<std::pair<std::string, std::string>> annotations;
};

}  // namespace strata
