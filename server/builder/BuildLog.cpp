#include "builder/BuildLog.h"

#include <openssl/rand.h>

#include <ctime>
#include <stdexcept>

namespace strata {

namespace {

std::int64_t nowSeconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

std::string randomId() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes");
  static const char* kHex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

}  // namespace

std::string BuildLog::open(const std::string& image, const std::string& source,
                           const std::string& revision, const std::string& state) {
  BuildStatus b;
  b.id = randomId();
  b.image = image;
  b.source = source;
  b.revision = revision;
  b.state = state;
  b.createdAt = nowSeconds();
  if (state == "cached") b.finishedAt = b.createdAt;
  std::lock_guard<std::mutex> lock(mutex_);
  while (order_.size() >= kMaxBuilds) {
    builds_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(b.id);
  std::string id = b.id;
  builds_.emplace(id, std::move(b));
  return id;
}

void BuildLog::setState(const std::string& id, const std::string& state) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = builds_.find(id); it != builds_.end()) it->second.state = state;
}

void BuildLog::append(const std::string& id, const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = builds_.find(id);
  if (it == builds_.end()) return;
  auto& log = it->second.log;
  if (log.size() >= kMaxLines) {
    log.erase(log.begin(), log.begin() + static_cast<long>(kMaxLines / 10));
    it->second.logTruncated = true;
  }
  log.push_back(line);
}

void BuildLog::succeed(const std::string& id, const std::string& ociDigest,
                       const std::string& dockerDigest) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = builds_.find(id);
  if (it == builds_.end()) return;
  it->second.state = "succeeded";
  it->second.ociDigest = ociDigest;
  it->second.dockerDigest = dockerDigest;
  it->second.finishedAt = nowSeconds();
}

void BuildLog::fail(const std::string& id, const std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = builds_.find(id);
  if (it == builds_.end()) return;
  it->second.state = "failed";
  it->second.error = error;
  it->second.finishedAt = nowSeconds();
}

std::optional<BuildStatus> BuildLog::get(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = builds_.find(id);
  if (it == builds_.end()) return std::nullopt;
  return it->second;
}

std::vector<BuildStatus> BuildLog::recent(std::size_t limit) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<BuildStatus> out;
  for (auto it = order_.rbegin(); it != order_.rend() && out.size() < limit; ++it) {
    BuildStatus b = builds_.at(*it);
    b.log.clear();
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace strata
