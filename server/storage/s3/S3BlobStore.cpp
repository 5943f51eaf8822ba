#include "storage/s3/S3BlobStore.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "storage/FileWrites.h"
#include "util/Error.h"
#include "util/Sha256.h"

namespace strata {
namespace fs = std::filesystem;
namespace {

std::atomic<unsigned long> spoolCounter{0};

/// A storage failure as clients see it: 503, the store's message.
[[noreturn]] void unavailable(const s3::S3Error& e) {
  throw Error(ErrorKind::StorageUnavailable, "the blob store failed", e.what());
}

/// Spools a blob to a local file while hashing it; commit uploads it.
class S3BlobWriter : public BlobWriter {
 public:
  S3BlobWriter(S3BlobStore& store, std::string path) : store_(store), path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error("cannot create '" + path_ + "': " + std::strerror(errno));
  }
  ~S3BlobWriter() override {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }

  void write(const char* data, std::size_t size) override {
    sha_.update(data, size);
    size_ += size;
    writeAll(fd_, data, size, path_);
  }

  Digest commit(const std::optional<Digest>& expected) override {
    Digest digest = Digest::fromHex(sha_.hexDigest());
    if (expected && *expected != digest)
      throw std::runtime_error("blob content is " + digest.str() + ", expected " + expected->str());
    ::close(fd_);
    fd_ = -1;
    store_.upload(digest, path_, size_);
    return digest;
  }

  std::uint64_t size() const override { return size_; }

 private:
  S3BlobStore& store_;
  std::string path_;
  int fd_ = -1;
  Sha256 sha_;
  std::uint64_t size_ = 0;
};

class S3BlobReader : public BlobReader {
 public:
  S3BlobReader(s3::S3Client& client, std::string key, std::uint64_t size)
      : client_(client), key_(std::move(key)), size_(size) {}
  std::uint64_t size() const override { return size_; }
  std::uint64_t sendTo(BlobSink& sink, std::uint64_t offset, std::uint64_t length) override {
    if (length == 0) return 0;
    try {
      return client_.getRange(key_, offset, length, sink);
    } catch (const s3::S3Error& e) {
      unavailable(e);
    }
  }

 private:
  s3::S3Client& client_;
  std::string key_;
  std::uint64_t size_;
};

/// Reads `size` bytes of `fd` from `offset` into a string.
std::string readPart(int fd, std::uint64_t offset, std::size_t size, const std::string& path) {
  std::string part(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, part.data() + got, size - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot read '" + path + "'");
    got += static_cast<std::size_t>(n);
  }
  return part;
}

}  // namespace

S3BlobStore::S3BlobStore(std::unique_ptr<s3::S3Client> client, Settings settings)
    : client_(std::move(client)),
      settings_(std::move(settings)),
      sizes_(MemoryBudget{settings_.sizeCacheBytes}, [](std::uint64_t) { return std::size_t{0}; }),
      small_(MemoryBudget{settings_.smallBlobCacheBytes},
             [](const std::string& b) { return heapBytes(b); }) {
  if (settings_.partSize < (5u << 20)) settings_.partSize = 5u << 20;
  fs::create_directories(settings_.spoolDir);
  // Spool files of processes that no longer run are litter.
  for (const auto& entry : fs::directory_iterator(settings_.spoolDir)) {
    long pid = std::strtol(entry.path().filename().c_str(), nullptr, 10);
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH))
      fs::remove_all(entry.path());
  }
}

S3BlobStore::~S3BlobStore() = default;

std::string S3BlobStore::keyOf(const Digest& digest) const {
  return settings_.prefix + "sha256/" + digest.hex();
}

std::unique_ptr<BlobWriter> S3BlobStore::create() {
  std::string path = settings_.spoolDir + "/" + std::to_string(::getpid()) + "-" +
                     std::to_string(spoolCounter.fetch_add(1)) + ".part";
  return std::make_unique<S3BlobWriter>(*this, path);
}

void S3BlobStore::upload(const Digest& digest, const std::string& file, std::uint64_t size) {
  if (stat(digest)) return;  // content-addressed: already there is already right
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot read '" + file + "': " + std::strerror(errno));
  std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) { ::close(*f); });
  const std::string key = keyOf(digest);
  try {
    if (size <= settings_.partSize) {
      // One PUT: its payload hash is the digest itself.
      client_->put(key, readPart(fd, 0, size, file), digest.hex());
    } else {
      std::string uploadId = client_->createMultipartUpload(key);
      try {
        std::vector<std::string> etags;
        for (std::uint64_t at = 0; at < size; at += settings_.partSize) {
          auto n = static_cast<std::size_t>(std::min<std::uint64_t>(settings_.partSize, size - at));
          etags.push_back(client_->uploadPart(key, uploadId, static_cast<int>(etags.size() + 1),
                                              readPart(fd, at, n, file)));
        }
        client_->completeMultipartUpload(key, uploadId, etags);
      } catch (...) {
        client_->abortMultipartUpload(key, uploadId);  // nothing half-written stays
        throw;
      }
    }
  } catch (const s3::S3Error& e) {
    unavailable(e);
  }
  sizes_.put(digest.hex(), size);
}

std::optional<BlobInfo> S3BlobStore::stat(const Digest& digest) const {
  if (auto size = sizes_.get(digest.hex())) return BlobInfo{*size};
  try {
    auto info = client_->head(keyOf(digest));
    if (!info) return std::nullopt;
    sizes_.put(digest.hex(), info->size);
    return BlobInfo{info->size};
  } catch (const s3::S3Error& e) {
    unavailable(e);
  }
}

std::unique_ptr<BlobReader> S3BlobStore::open(const Digest& digest) const {
  auto info = stat(digest);
  if (!info) return nullptr;
  return std::make_unique<S3BlobReader>(*client_, keyOf(digest), info->size);
}

std::optional<std::string> S3BlobStore::redirectUrl(const Digest& digest) const {
  if (!settings_.redirect) return std::nullopt;
  return client_->presignGet(keyOf(digest), settings_.presignSeconds);
}

Digest S3BlobStore::put(const std::string& bytes) {
  Digest digest = Digest::ofBytes(bytes);
  if (stat(digest)) return digest;
  try {
    client_->put(keyOf(digest), bytes, digest.hex());
  } catch (const s3::S3Error& e) {
    unavailable(e);
  }
  sizes_.put(digest.hex(), bytes.size());
  return digest;
}

std::string S3BlobStore::read(const Digest& digest) const {
  if (auto cached = small_.get(digest.hex())) return std::move(*cached);
  std::optional<std::string> bytes;
  try {
    bytes = client_->get(keyOf(digest));
  } catch (const s3::S3Error& e) {
    unavailable(e);
  }
  if (!bytes) throw std::runtime_error("blob " + digest.str() + " is not in the store");
  if (Digest::ofBytes(*bytes) != digest)
    throw Error(ErrorKind::StorageUnavailable, "the blob store returned other bytes",
                "blob " + digest.str() + " does not match its content");
  if (bytes->size() <= kCachedBlobMax) small_.put(digest.hex(), *bytes);
  return std::move(*bytes);
}

void S3BlobStore::remove(const Digest& digest) {
  sizes_.erase(digest.hex());
  small_.erase(digest.hex());
  try {
    client_->remove(keyOf(digest));
  } catch (const s3::S3Error& e) {
    unavailable(e);
  }
}

void S3BlobStore::list(const std::function<void(const StoredBlob&)>& each) const {
  const std::string prefix = settings_.prefix + "sha256/";
  try {
    client_->list(prefix, [&](const s3::ObjectInfo& o) {
      std::string hex = o.key.substr(prefix.size());
      if (o.key.compare(0, prefix.size(), prefix) != 0 || !isSha256Hex(hex)) return;
      each(StoredBlob{Digest::fromHex(hex), o.size, o.modifiedAt});
    });
  } catch (const s3::S3Error& e) {
    unavailable(e);
  }
}

}  // namespace strata
