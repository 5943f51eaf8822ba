#pragma once

#include <cstdint>

#include "util/Digest.h"

namespace strata {

/// A layer blob as the manifest and the image config describe it.
struct LayerBlob {
  Digest digest;  ///< of the compressed blob
  Digest diffId;  ///< of the uncompressed tar
  std::uint64_t size = 0;
};

}  // namespace strata
