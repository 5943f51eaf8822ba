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
  std::int64_t finishedAt = 0;  ///< 0 while not finished
  std::string ociDigest;
  std::string dockerDigest;
  std::string error;
  std::vector<std::string> log;  ///< Nix's output, live while building
  bool logTruncated = false;     ///< the first lines were dropped to bound memory
};

/// The recent builds of this process, with their logs, in memory and bounded:
/// the newest kMaxBuilds builds, each with its last kMaxLines log lines.
class BuildLog {
 public:
  static constexpr std::size_t kMaxBuilds = 200;
  static constexpr std::size_t kMaxLines = 5000;

  /// Registers a build and returns its id (16 hex digits, unguessable).
  std::string open(const std::string& image, const std::string& source, const std::string& revision,
                   const std::string& state);
  void setState(const std::string& id, const std::string& state);
  void append(const std::string& id, const std::string& line);
  void succeed(const std::string& id, const std::string& ociDigest,
               const std::string& dockerDigest);
  void fail(const std::string& id, const std::string& error);

  std::optional<BuildStatus> get(const std::string& id) const;
  /// Newest first, without logs.
  std::vector<BuildStatus> recent(std::size_t limit) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, BuildStatus> builds_;
  std::deque<std::string> order_;  ///< ids, oldest first
};

}  // namespace strata
