#pragma once

#include <memory>
#include <string>

#include "storage/BlobStore.h"
#include "storage/s3/S3Client.h"
#include "util/BoundedCache.h"

namespace strata {

/// Blobs as objects `<prefix>sha256/<64 hex>` of an S3 bucket. A blob is
/// written to a local spool file while it is hashed, then uploaded under its
/// digest in one PUT or, past one part, as a multipart upload: either way
/// the object exists only once it is complete. Served by a presigned URL
/// (`redirect`) or streamed from S3 with ranges.
class S3BlobStore : public BlobStore {
 public:
  struct Settings {
    std::string prefix;    ///< ends with '/' or is empty
    std::string spoolDir;  ///< local folder for blobs being written
    bool redirect = true;  ///< GETs answer with presigned URLs
    int presignSeconds = 300;
    std::size_t partSize = 16 << 20;             ///< at least 5 MiB (S3's smallest part)
    std::size_t smallBlobCacheBytes = 16 << 20;  ///< CacheBudget::smallBlobs
    std::size_t sizeCacheBytes = 1 << 20;        ///< CacheBudget::blobSizes
  };

  S3BlobStore(std::unique_ptr<s3::S3Client> client, Settings settings);
  ~S3BlobStore() override;

  std::unique_ptr<BlobWriter> create() override;
  std::optional<BlobInfo> stat(const Digest& digest) const override;
  std::unique_ptr<BlobReader> open(const Digest& digest) const override;
  std::optional<std::string> redirectUrl(const Digest& digest) const override;
  Digest put(const std::string& bytes) override;
  std::string read(const Digest& digest) const override;
  void remove(const Digest& digest) override;
  void list(const std::function<void(const StoredBlob&)>& each) const override;

  /// Uploads a complete local file as the blob `digest` (the writer's last step).
  void upload(const Digest& digest, const std::string& file, std::uint64_t size);

  std::string keyOf(const Digest& digest) const;
  s3::S3Client& client() const { return *client_; }

 private:
  std::unique_ptr<s3::S3Client> client_;
  Settings settings_;
  /// Blobs never change: a size once seen, and small blobs once read, are
  /// kept so that warm pulls do not ask S3 again.
  mutable BoundedCache<std::string, std::uint64_t> sizes_;
  static constexpr std::size_t kCachedBlobMax = 64 << 10;
  mutable BoundedCache<std::string, std::string> small_;
};

}  // namespace strata
