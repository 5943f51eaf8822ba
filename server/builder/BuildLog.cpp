#include "builder/BuildLog.h"

#include <Poco/Logger.h>
#include <openssl/rand.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

#include "meta/BuildRepository.h"

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

BuildRecord toRecord(const BuildStatus& b, const std::string& owner) {
  return BuildRecord{b.id,    b.image,     b.source,      b.revision,  b.state,
                     owner,   b.createdMs, b.finishedAt,  b.ociDigest, b.dockerDigest,
                     b.error, {},          b.logTruncated};
}

BuildStatus fromRecord(const BuildRecord& r) {
  BuildStatus b;
  b.id = r.id;
  b.image = r.image;
  b.source = r.source;
  b.revision = r.revision;
  b.state = r.state;
  b.createdMs = r.createdMs;
  b.createdAt = r.createdMs / 1000;
  b.finishedAt = r.finishedAt;
  b.ociDigest = r.ociDigest;
  b.dockerDigest = r.dockerDigest;
  b.error = r.error;
  b.log = r.log;
  b.logTruncated = r.logTruncated;
  return b;
}

void warn(const char* what, const std::exception& e) {
  Poco::Logger::get("strata.builds")
      .warning("cannot %s the shared build log: %s", std::string(what), std::string(e.what()));
}

}  // namespace

void BuildLog::share(BuildRepository* repository, std::string owner) {
  std::lock_guard<std::mutex> lock(mutex_);
  shared_ = repository;
  owner_ = std::move(owner);
}

void BuildLog::save(const std::string& id) {
  BuildRecord record;
  BuildRepository* repo;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    repo = shared_;
    auto it = builds_.find(id);
    if (repo == nullptr || it == builds_.end()) return;
    record = toRecord(it->second, owner_);
  }
  try {
    repo->saveBuild(record, kMaxBuilds * 5);
  } catch (const std::exception& e) {
    warn("write", e);
  }
}

void BuildLog::flush() {
  std::map<std::string, Pending> batch;
  BuildRepository* repo;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    repo = shared_;
    if (repo == nullptr) return;
    for (auto it = pending_.begin(); it != pending_.end();) {
      auto& [id, p] = *it;
      if (!p.lines.empty()) {
        batch[id] = p;
        p.firstSeq = p.nextSeq;
        p.lines.clear();
      }
      // A build gone from memory, or ended, has nothing more to append.
      auto build = builds_.find(id);
      bool ended = build == builds_.end() || build->second.finishedAt != 0;
      it = ended ? pending_.erase(it) : std::next(it);
    }
  }
  for (const auto& [id, p] : batch) {
    try {
      repo->appendLog(id, p.firstSeq, p.lines, kMaxLines);
    } catch (const std::exception& e) {
      warn("append to", e);
    }
  }
}

std::string BuildLog::open(const std::string& image, const std::string& source,
                           const std::string& revision, const std::string& state) {
  BuildStatus b;
  b.id = randomId();
  b.image = image;
  b.source = source;
  b.revision = revision;
  b.state = state;
  b.createdMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  b.createdAt = b.createdMs / 1000;
  if (state == "cached") b.finishedAt = b.createdAt;
  std::string id = b.id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (order_.size() >= kMaxBuilds) {
      if (auto old = builds_.find(order_.front()); old != builds_.end()) {
        totalLogBytes_ -= old->second.logBytes;
        builds_.erase(old);
      }
      order_.pop_front();
    }
    order_.push_back(b.id);
    builds_.emplace(id, std::move(b));
  }
  save(id);
  return id;
}

void BuildLog::fitTotal(const std::string& current) {
  auto trim = [this](BuildStatus& b) {
    std::size_t n = 0;
    while (n < b.log.size() && totalLogBytes_ > maxTotalLogBytes_) {
      b.logBytes -= b.log[n].size();
      totalLogBytes_ -= b.log[n].size();
      ++n;
    }
    if (n == 0) return;
    b.log.erase(b.log.begin(), b.log.begin() + static_cast<long>(n));
    b.logTruncated = true;
  };
  for (const auto& id : order_) {
    if (totalLogBytes_ <= maxTotalLogBytes_) return;
    if (id == current) continue;
    if (auto it = builds_.find(id); it != builds_.end()) trim(it->second);
  }
  if (auto it = builds_.find(current); it != builds_.end()) trim(it->second);
}

void BuildLog::setState(const std::string& id, const std::string& state) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = builds_.find(id); it != builds_.end()) it->second.state = state;
  }
  save(id);
}

void BuildLog::append(const std::string& id, const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = builds_.find(id);
  if (it == builds_.end()) return;
  auto& build = it->second;
  auto& log = build.log;
  auto dropFront = [&](std::size_t count) {
    for (std::size_t i = 0; i < count && i < log.size(); ++i) {
      build.logBytes -= log[i].size();
      totalLogBytes_ -= log[i].size();
    }
    log.erase(log.begin(), log.begin() + static_cast<long>(std::min(count, log.size())));
    build.logTruncated = true;
  };
  if (log.size() >= kMaxLines) dropFront(kMaxLines / 10);
  while (!log.empty() && build.logBytes + line.size() > kMaxLogBytes) dropFront(1);
  log.push_back(line);
  build.logBytes += line.size();
  totalLogBytes_ += line.size();
  if (totalLogBytes_ > maxTotalLogBytes_) fitTotal(id);
  if (shared_ != nullptr) {
    Pending& p = pending_[id];
    p.lines.push_back(line);
    ++p.nextSeq;
  }
}

void BuildLog::succeed(const std::string& id, const std::string& ociDigest,
                       const std::string& dockerDigest) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = builds_.find(id);
    if (it == builds_.end()) return;
    it->second.state = "succeeded";
    it->second.ociDigest = ociDigest;
    it->second.dockerDigest = dockerDigest;
    it->second.finishedAt = nowSeconds();
  }
  flush();
  save(id);
}

void BuildLog::fail(const std::string& id, const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = builds_.find(id);
    if (it == builds_.end()) return;
    it->second.state = "failed";
    it->second.error = error;
    it->second.finishedAt = nowSeconds();
  }
  flush();
  save(id);
}

std::optional<BuildStatus> BuildLog::get(const std::string& id) const {
  BuildRepository* repo;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = builds_.find(id);
    if (it != builds_.end()) return it->second;
    repo = shared_;
  }
  if (repo == nullptr) return std::nullopt;
  try {
    if (auto record = repo->findBuild(id, kMaxLines)) return fromRecord(*record);
  } catch (const std::exception& e) {
    warn("read", e);
  }
  return std::nullopt;
}

std::vector<BuildStatus> BuildLog::recent(std::size_t limit) const {
  BuildRepository* repo;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    repo = shared_;
  }
  if (repo != nullptr) {
    try {
      std::vector<BuildStatus> out;
      for (const auto& r : repo->recentBuilds(limit)) out.push_back(fromRecord(r));
      return out;
    } catch (const std::exception& e) {
      warn("read", e);  // this replica's builds, then
    }
  }
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
