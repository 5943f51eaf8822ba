#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace strata {

/// One build as GET /api/v1/builds/{id} shows it.
struct BuildStatus {
  std::string id;
  std::string image;  ///< what was asked for, e.g. "demo/shell/hello:latest"
  std::string source;
  std::string revision;
  std::string state;            ///< queued | running | succeeded | failed | cached
  std::int64_t createdAt = 0;   ///< seconds since the epoch
  std::int64_t createdMs = 0;   ///< milliseconds: orders builds (not shown)
  std::int64_t finishedAt = 0;  ///< 0 while not finished
  std::string ociDigest;
  std::string dockerDigest;
  std::string error;
  std::vector<std::string> log;  ///< Nix's output, live while building
  bool logTruncated = false;     ///< the first lines were dropped to bound memory
  std::size_t logBytes = 0;      ///< bytes in `log` (not shown)
};

class BuildRepository;

/// The recent builds of this process, with their logs, in memory and bounded:
/// the newest kMaxBuilds builds, each with its last kMaxLines log lines and
/// at most kMaxLogBytes of them, and all together at most `maxTotalLogBytes`
/// of log (past it, the oldest builds' first lines go first).
/// Shared (share()), every change is also written to the database, so that
/// every replica lists the builds of all and reads their logs, live to the
/// last flush().
class BuildLog {
 public:
  static constexpr std::size_t kMaxBuilds = 200;
  static constexpr std::size_t kMaxLines = 5000;
  static constexpr std::size_t kMaxLogBytes = 1 << 20;

  /// `maxTotalLogBytes`: CacheBudget::buildLogs.
  explicit BuildLog(std::size_t maxTotalLogBytes = kMaxBuilds * kMaxLogBytes)
      : maxTotalLogBytes_(maxTotalLogBytes) {}

  /// Registers a build and returns its id (16 hex digits, unguessable).
  std::string open(const std::string& image, const std::string& source, const std::string& revision,
                   const std::string& state);
  void setState(const std::string& id, const std::string& state);
  void append(const std::string& id, const std::string& line);
  void succeed(const std::string& id, const std::string& ociDigest,
               const std::string& dockerDigest);
  void fail(const std::string& id, const std::string& error);

  /// A build of this process from memory, else (shared) of any replica.
  std::optional<BuildStatus> get(const std::string& id) const;
  /// Newest first, without logs; of every replica when shared.
  std::vector<BuildStatus> recent(std::size_t limit) const;

  /// Writes through to `repository` as replica `owner` from now on. A
  /// failing database is logged, never thrown: builds go on without it.
  void share(BuildRepository* repository, std::string owner);
  /// Writes the log lines appended since the last flush.
  void flush();

 private:
  void save(const std::string& id);
  /// Drops the first log lines of the oldest builds (of `current` last) until
  /// the logs fit maxTotalLogBytes_. Holds mutex_.
  void fitTotal(const std::string& current);

  mutable std::mutex mutex_;
  std::map<std::string, BuildStatus> builds_;
  std::deque<std::string> order_;  ///< ids, oldest first
  const std::size_t maxTotalLogBytes_;
  std::size_t totalLogBytes_ = 0;
  BuildRepository* shared_ = nullptr;
  std::string owner_;
  struct Pending {
    std::int64_t nextSeq = 0;  ///< number of the next line of the build
    std::int64_t firstSeq = 0;
    std::vector<std::string> lines;  ///< not written yet
  };
  std::map<std::string, Pending> pending_;
};

}  // namespace strata
