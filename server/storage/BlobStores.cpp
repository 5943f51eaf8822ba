#include "storage/BlobStores.h"

#include <stdexcept>

#include "config/Config.h"
#include "storage/FilesystemBlobStore.h"

namespace strata {

std::unique_ptr<BlobStore> openBlobStore(const Config& config) {
  if (config.storageBackend == "filesystem")
    return std::make_unique<FilesystemBlobStore>(config.storagePath, config.storageSendfile);
  throw std::runtime_error("storage.backend: unknown backend '" + config.storageBackend +
                           "' (known: filesystem)");
}

}  // namespace strata
