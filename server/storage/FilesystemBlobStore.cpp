#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "storage/BlobStore.h"
#include "util/Sha256.h"

namespace strata {
namespace fs = std::filesystem;
namespace {

std::runtime_error sysError(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " '" + path + "': " + std::strerror(errno));
}

class FileBlobWriter : public BlobWriter {
 public:
  FileBlobWriter(const FilesystemBlobStore& store, std::string tmpPath)
      : store_(store), tmpPath_(std::move(tmpPath)) {
    fd_ = ::open(tmpPath_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) throw sysError("cannot create", tmpPath_);
  }

  ~FileBlobWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmpPath_.c_str());
  }

  void write(const char* data, std::size_t size) override {
    sha_.update(data, size);
    size_ += size;
    while (size > 0) {
      ssize_t n = ::write(fd_, data, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw sysError("cannot write", tmpPath_);
      }
      data += n;
      size -= static_cast<std::size_t>(n);
    }
  }

  Digest commit(const std::optional<Digest>& expected) override {
    Digest digest = Digest::fromHex(sha_.hexDigest());
    if (expected && *expected != digest)
      throw std::runtime_error("blob content is " + digest.str() + ", expected " + expected->str());
    if (::fsync(fd_) != 0) throw sysError("cannot sync", tmpPath_);
    ::close(fd_);
    fd_ = -1;
    std::string final = store_.pathOf(digest);
    fs::create_directories(fs::path(final).parent_path());
    if (::rename(tmpPath_.c_str(), final.c_str()) != 0) throw sysError("cannot publish", final);
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

std::atomic<unsigned long> tmpCounter{0};

}  // namespace

FilesystemBlobStore::FilesystemBlobStore(std::string root) : root_(std::move(root)) {
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
  return BlobInfo{static_cast<std::uint64_t>(st.st_size), path};
}

Digest FilesystemBlobStore::put(const std::string& bytes) {
  Digest digest = Digest::ofBytes(bytes);
  if (stat(digest)) return digest;
  auto writer = create();
  writer->write(bytes.data(), bytes.size());
  return writer->commit(digest);
}

std::string FilesystemBlobStore::read(const Digest& digest) const {
  {
    std::lock_guard<std::mutex> lock(cacheMutex_);
    auto it = cache_.find(digest.hex());
    if (it != cache_.end()) return it->second;
  }
  std::ifstream in(pathOf(digest), std::ios::binary);
  if (!in) throw std::runtime_error("blob " + digest.str() + " is not in the store");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  if (bytes.size() <= kCachedBlobMax) {
    std::lock_guard<std::mutex> lock(cacheMutex_);
    if (cacheBytes_ + bytes.size() > kCacheBytes) {  // crude bound: start over
      cache_.clear();
      cacheBytes_ = 0;
    }
    if (cache_.emplace(digest.hex(), bytes).second) cacheBytes_ += bytes.size();
  }
  return bytes;
}

void FilesystemBlobStore::remove(const Digest& digest) {
  {
    std::lock_guard<std::mutex> lock(cacheMutex_);
    auto it = cache_.find(digest.hex());
    if (it != cache_.end()) {
      cacheBytes_ -= it->second.size();
      cache_.erase(it);
    }
  }
  ::unlink(pathOf(digest).c_str());
}

}  // namespace strata
