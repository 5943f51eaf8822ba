#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "image/LayerBlob.h"
#include "layers/CompressSink.h"
#include "layers/TarWriter.h"
#include "storage/BlobStore.h"
#include "util/Digest.h"

namespace strata {

class TaskPool;

/// Streams a tar produced by `produce` through sha256 (diff_id), the codec
/// at its default level (compressed on `pool` when given) and the blob store's
/// hashing writer, in one pass: the layer is never read twice nor held in
/// memory.
LayerBlob buildLayer(BlobStore& store, Codec codec, const std::function<void(TarWriter&)>& produce,
                     TaskPool* pool = nullptr);

/// A stable key for a layer of these store paths (any order) in this format.
std::string layerKey(const std::string& kind, const std::vector<std::string>& paths);

}  // namespace strata
