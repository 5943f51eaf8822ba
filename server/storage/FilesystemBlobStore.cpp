#include "storage/FilesystemBlobStore.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "storage/FileWrites.h"
#include "util/Sha256.h"

namespace strata {
namespace fs = std::filesystem;
namespace {

/// A folder made for a blob: a full disk is StorageFull, as for its bytes.
void createFolders(const fs::path& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (!error) return;
  errno = error.value();
  throwFileError("cannot create", folder.string());
}

class FileBlobWriter : public BlobWriter {
 public:
  FileBlobWriter(const FilesystemBlobStore& store, std::string tmpPath)
      : store_(store), tmpPath_(std::move(tmpPath)) {
    fd_ = ::open(tmpPath_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) throwFileError("cannot create", tmpPath_);
  }

  ~FileBlobWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmpPath_.c_str());
  }

  void write(const char* data, std::size_t size) override {
    sha_.update(data, size);
    size_ += size;
    writeAll(fd_, data, size, tmpPath_);
  }

  Digest commit(const std::optional<Digest>& expected) override {
    Digest digest = Digest::fromHex(sha_.hexDigest());
    if (expected && *expected != digest)
      throw std::runtime_error("blob content is " + digest.str() + ", expected " + expected->str());
    if (::fsync(fd_) != 0) throwFileError("cannot sync", tmpPath_);
    ::close(fd_);
    fd_ = -1;
    std::string final = store_.pathOf(digest);
    createFolders(fs::path(final).parent_path());
    if (::rename(tmpPath_.c_str(), final.c_str()) != 0) throwFileError("cannot publish", final);
    committed_ = true;
    return digest;
  }

  std::uint64_t size() const override { return size_; }

 private:
  const FilesystemBlobStore& store_;
  std::string tmpPath_;
  int fd_ = -1;
  Sha256 sha_;
  std::uint64_t size_ = 0;
  bool committed_ = false;
};

/// A blob file opened for serving: copied through one 64 KiB buffer per
/// thread, or with sendfile(2) into the sink's descriptor when zero-copy is on.
class FileBlobReader : public BlobReader {
 public:
  FileBlobReader(int fd, std::uint64_t size, bool zeroCopy)
      : fd_(fd), size_(size), zeroCopy_(zeroCopy) {}
  ~FileBlobReader() override { ::close(fd_); }

  std::uint64_t size() const override { return size_; }

  std::uint64_t sendTo(BlobSink& sink, std::uint64_t offset, std::uint64_t length) override {
    int out = zeroCopy_ ? sink.descriptor() : -1;
    return out >= 0 ? sendZeroCopy(out, offset, length) : sendCopied(sink, offset, length);
  }

 private:
  std::uint64_t sendCopied(BlobSink& sink, std::uint64_t offset, std::uint64_t length) {
    constexpr std::size_t kBuffer = 64 << 10;
    thread_local std::vector<char> buf(kBuffer);
    std::uint64_t sent = 0;
    while (sent < length) {
      ssize_t n = ::pread(fd_, buf.data(), std::min<std::uint64_t>(length - sent, kBuffer),
                          static_cast<off_t>(offset + sent));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (!sink.write(buf.data(), static_cast<std::size_t>(n))) break;
      sent += static_cast<std::uint64_t>(n);
    }
    return sent;
  }

  std::uint64_t sendZeroCopy(int out, std::uint64_t offset, std::uint64_t length) {
    off_t off = static_cast<off_t>(offset);
    std::uint64_t sent = 0;
    while (sent < length) {
      ssize_t n = ::sendfile(out, fd_, &off, std::min<std::uint64_t>(length - sent, 1 << 30));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // receiver gone or send timeout
      sent += static_cast<std::uint64_t>(n);
    }
    return sent;
  }

  int fd_;
  std::uint64_t size_;
  bool zeroCopy_;
};

std::atomic<unsigned long> tmpCounter{0};

}  // namespace

FilesystemBlobStore::FilesystemBlobStore(std::string root, bool zeroCopy, std::size_t cacheBytes)
    : root_(std::move(root)),
      zeroCopy_(zeroCopy),
      cache_(MemoryBudget{cacheBytes}, [](const std::string& bytes) { return heapBytes(bytes); }) {
  fs::create_directories(root_ + "/sha256");
  fs::create_directories(root_ + "/tmp");
  // A temporary file is never published, so what a crashed writer left behind
  // is only litter: remove the files of processes that no longer run (another
  // process, such as `strata admin build`, may be writing beside us).
  for (const auto& entry : fs::directory_iterator(root_ + "/tmp")) {
    std::string name = entry.path().filename().string();
    long pid = std::strtol(name.c_str(), nullptr, 10);
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH))
      fs::remove_all(entry.path());
  }
}

std::string FilesystemBlobStore::pathOf(const Digest& digest) const {
  const std::string& hex = digest.hex();
  return root_ + "/sha256/" + hex.substr(0, 2) + "/" + hex;
}

std::unique_ptr<BlobWriter> FilesystemBlobStore::create() {
  std::string tmp = root_ + "/tmp/" + std::to_string(::getpid()) + "-" +
                    std::to_string(tmpCounter.fetch_add(1)) + ".part";
  return std::make_unique<FileBlobWriter>(*this, tmp);
}

std::optional<BlobInfo> FilesystemBlobStore::stat(const Digest& digest) const {
  std::string path = pathOf(digest);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return BlobInfo{static_cast<std::uint64_t>(st.st_size)};
}

std::unique_ptr<BlobReader> FilesystemBlobStore::open(const Digest& digest) const {
  int fd = ::open(pathOf(digest).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<FileBlobReader>(fd, static_cast<std::uint64_t>(st.st_size), zeroCopy_);
}

Digest FilesystemBlobStore::put(const std::string& bytes) {
  Digest digest = Digest::ofBytes(bytes);
  if (stat(digest)) return digest;
  auto writer = create();
  writer->write(bytes.data(), bytes.size());
  return writer->commit(digest);
}

std::string FilesystemBlobStore::read(const Digest& digest) const {
  if (auto cached = cache_.get(digest.hex())) return std::move(*cached);
  std::ifstream in(pathOf(digest), std::ios::binary);
  if (!in) throw std::runtime_error("blob " + digest.str() + " is not in the store");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  if (bytes.size() <= kCachedBlobMax) cache_.put(digest.hex(), bytes);
  return bytes;
}

void FilesystemBlobStore::remove(const Digest& digest) {
  cache_.erase(digest.hex());
  ::unlink(pathOf(digest).c_str());
}

void FilesystemBlobStore::list(const std::function<void(const StoredBlob&)>& each) const {
  for (const auto& entry : fs::recursive_directory_iterator(root_ + "/sha256")) {
    std::string hex = entry.path().filename().string();
    if (!entry.is_regular_file() || !isSha256Hex(hex)) continue;
    struct stat st;
    if (::stat(entry.path().c_str(), &st) != 0) continue;  // removed meanwhile
    each(StoredBlob{Digest::fromHex(hex), static_cast<std::uint64_t>(st.st_size),
                    static_cast<std::int64_t>(st.st_mtime)});
  }
}

}  // namespace strata
