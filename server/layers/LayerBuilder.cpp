#include "layers/LayerBuilder.h"

#include <algorithm>

#include "layers/CompressSink.h"
#include "util/Sha256.h"

namespace strata {

LayerBlob buildLayer(BlobStore& store, Codec codec, const std::function<void(TarWriter&)>& produce,
                     TaskPool* pool) {
  auto writer = store.create();
  CompressSink compressed(*writer, codec, defaultLevel(codec), pool);
  HashingSink tarHash(compressed);
  TarWriter tar(tarHash);
  produce(tar);  // ends with tar.finish(), which finishes the chain
  LayerBlob blob{writer->commit(), Digest::fromHex(tarHash.hex()), writer->size()};
  return blob;
}

std::string layerKey(const std::string& kind, const std::vector<std::string>& paths) {
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end());
  Sha256 h;
  // Bump the version when the tar or gzip output changes for the same paths
  // (v2: already-compressed pieces stored, see CompressSink).
  h.update("strata-layer-v2\n" + kind + "\n");
  for (const auto& p : sorted) {
    h.update(p);
    h.update("\n", 1);
  }
  return h.hexDigest();
}

}  // namespace strata
