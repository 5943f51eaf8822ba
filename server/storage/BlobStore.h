#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

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

/// Where a served blob goes: a client's connection. The store pushes bytes
/// into it, so that each store can use its fastest way to copy.
class BlobSink {
 public:
  virtual ~BlobSink() = default;
  /// Writes all of `data`; false when the receiver has gone.
  virtual bool write(const char* data, std::size_t size) = 0;
  /// A descriptor that sendfile(2) may write into, or -1 when there is none.
  virtual int descriptor() { return -1; }
};

/// A blob opened for serving.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual std::uint64_t size() const = 0;
  /// Sends bytes [offset, offset + length) to `sink`. Returns how many were
  /// sent: fewer than `length` when the sink went away.
  virtual std::uint64_t sendTo(BlobSink& sink, std::uint64_t offset, std::uint64_t length) = 0;
};

struct BlobInfo {
  std::uint64_t size = 0;
};

/// One stored blob as a listing shows it (garbage collection).
struct StoredBlob {
  Digest digest;
  std::uint64_t size = 0;
  std::int64_t modifiedAt = 0;  ///< seconds since the epoch
};

/// Content-addressed storage of blobs (layers, configs, manifests). No caller
/// sees where or how a blob is kept: it writes through a BlobWriter, serves
/// through a BlobReader or, for a store that can presign, a redirect URL.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual std::unique_ptr<BlobWriter> create() = 0;
  virtual std::optional<BlobInfo> stat(const Digest& digest) const = 0;
  /// Null when the blob is not stored.
  virtual std::unique_ptr<BlobReader> open(const Digest& digest) const = 0;
  /// A URL clients may fetch the blob from themselves (a presigned URL);
  /// nullopt when the store serves its blobs through open().
  virtual std::optional<std::string> redirectUrl(const Digest& digest) const {
    (void)digest;
    return std::nullopt;
  }
  virtual Digest put(const std::string& bytes) = 0;
  virtual std::string read(const Digest& digest) const = 0;  ///< small blobs only
  virtual void remove(const Digest& digest) = 0;
  /// Calls `each` for every stored blob, in no particular order.
  virtual void list(const std::function<void(const StoredBlob&)>& each) const = 0;
};

}  // namespace strata
