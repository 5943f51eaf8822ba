#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "util/ByteSink.h"
#include "util/Digest.h"

namespace strata {

/// A blob being written. Bytes go to a temporary place and are hashed on the
/// way; commit() makes the blob visible under its digest only when complete.
/// Destroying an uncommitted writer discards what was written.
class BlobWriter : public ByteSink {
 public:
  /// Finishes the blob and publishes it. When `expected` is given and the
  /// content does not match it, nothing is published and this throws.
  virtual Digest commit(const std::optional<Digest>& expected = std::nullopt) = 0;
  virtual std::uint64_t size() const = 0;
};

struct BlobInfo {
  std::uint64_t size = 0;
  std::string path;  ///< local file holding the blob (filesystem store)
};

/// Content-addressed storage of blobs (layers, configs, manifests).
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual std::unique_ptr<BlobWriter> create() = 0;
  virtual std::optional<BlobInfo> stat(const Digest& digest) const = 0;
  virtual Digest put(const std::string& bytes) = 0;
  virtual std::string read(const Digest& digest) const = 0;  ///< small blobs only
  virtual void remove(const Digest& digest) = 0;
};

/// Blobs as files `<root>/sha256/<2 hex>/<64 hex>`; writes go to `<root>/tmp`
/// and are renamed into place after fsync.
class FilesystemBlobStore : public BlobStore {
 public:
  explicit FilesystemBlobStore(std::string root);
  std::unique_ptr<BlobWriter> create() override;
  std::optional<BlobInfo> stat(const Digest& digest) const override;
  Digest put(const std::string& bytes) override;
  std::string read(const Digest& digest) const override;
  void remove(const Digest& digest) override;

  std::string pathOf(const Digest& digest) const;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
  /// Blobs are immutable, so small ones (manifests, configs) read once are
  /// kept in memory: a warm manifest request touches no disk.
  static constexpr std::size_t kCachedBlobMax = 64 << 10;
  static constexpr std::size_t kCacheBytes = 32 << 20;
  mutable std::mutex cacheMutex_;
  mutable std::unordered_map<std::string, std::string> cache_;
  mutable std::size_t cacheBytes_ = 0;
};

}  // namespace strata
