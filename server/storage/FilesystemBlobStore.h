#pragma once

#include <memory>
#include <string>

#include "storage/BlobStore.h"
#include "util/BoundedCache.h"

namespace strata {

/// Blobs as files `<root>/sha256/<2 hex>/<64 hex>`; writes go to `<root>/tmp`
/// and are renamed into place after fsync, so a partial blob is never served.
class FilesystemBlobStore : public BlobStore {
 public:
  /// `zeroCopy`: serve with sendfile(2) where the sink allows it, else copy
  /// through a 64 KiB buffer (faster on loopback, docs/performance.md).
  /// `cacheBytes`: memory for small blobs read once (CacheBudget::smallBlobs).
  explicit FilesystemBlobStore(std::string root, bool zeroCopy = false,
                               std::size_t cacheBytes = 16 << 20);
  std::unique_ptr<BlobWriter> create() override;
  std::optional<BlobInfo> stat(const Digest& digest) const override;
  std::unique_ptr<BlobReader> open(const Digest& digest) const override;
  Digest put(const std::string& bytes) override;
  std::string read(const Digest& digest) const override;
  void remove(const Digest& digest) override;
  void list(const std::function<void(const StoredBlob&)>& each) const override;

  /// Where the blob's file is (or would be); for this store's own tests.
  std::string pathOf(const Digest& digest) const;

 private:
  std::string root_;
  bool zeroCopy_;
  /// Blobs are immutable, so small ones (manifests, configs) read once are
  /// kept in memory: a warm manifest request touches no disk.
  static constexpr std::size_t kCachedBlobMax = 64 << 10;
  mutable BoundedCache<std::string, std::string> cache_;
};

}  // namespace strata
