#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strata {

/// A build in progress somewhere, as the database knows it.
struct BuildClaim {
  std::string owner;  ///< the replica building it
  std::string buildId;
  std::string state;      ///< "building" or "failed"
  std::string errorKind;  ///< failed: the ErrorKind's name
  std::string errorMessage;
  std::string errorDetail;
  std::int64_t expiresAt = 0;
};

/// A build as every replica can read it (GET /api/v1/builds).
struct BuildRecord {
  std::string id;
  std::string image;
  std::string source;
  std::string revision;
  std::string state;  ///< queued | running | succeeded | failed | cached
  std::string owner;
  std::int64_t createdMs = 0;  ///< milliseconds: orders builds started in one second
  std::int64_t finishedAt = 0;
  std::string ociDigest;
  std::string dockerDigest;
  std::string error;
  std::vector<std::string> log;  ///< the last lines, oldest first (findBuild only)
  bool logTruncated = false;
};

/// What replicas on one database coordinate through: claims on builds in
/// progress (so that one replica builds an image and the others wait), the
/// builds and their logs, and named leases for work one replica does at a
/// time. Every time is in seconds since the epoch, given by the caller.
class BuildRepository {
 public:
  virtual ~BuildRepository() = default;

  /// Claims the build of `cacheKey` for `owner` until `expiresAt`, unless
  /// another claim on it is building and has not expired at `now`. True when
  /// `owner` holds the claim now.
  virtual bool claim(const std::string& cacheKey, const std::string& owner,
                     const std::string& buildId, std::int64_t now, std::int64_t expiresAt) = 0;
  virtual std::optional<BuildClaim> findClaim(const std::string& cacheKey) = 0;
  /// Forgets every claim: for a database only this process uses (SQLite),
  /// whose claims from before a restart are nobody's.
  virtual void dropClaims() = 0;
  /// Extends the claim on `cacheKey` to `expiresAt` while `owner` builds it.
  virtual void renewClaim(const std::string& cacheKey, const std::string& owner,
                          std::int64_t expiresAt) = 0;
  /// The build succeeded: the claim goes.
  virtual void releaseClaim(const std::string& cacheKey, const std::string& owner) = 0;
  /// The build failed: the claim keeps the error for the replicas waiting on
  /// it, until the next claim replaces it.
  virtual void failClaim(const std::string& cacheKey, const std::string& owner,
                         const std::string& errorKind, const std::string& message,
                         const std::string& detail, std::int64_t expiresAt) = 0;

  /// Inserts or updates a build (not its log); keeps the newest `keep` builds.
  virtual void saveBuild(const BuildRecord& build, std::size_t keep) = 0;
  /// Adds log lines numbered from `firstSeq`; keeps the last `keepLines`.
  virtual void appendLog(const std::string& buildId, std::int64_t firstSeq,
                         const std::vector<std::string>& lines, std::size_t keepLines) = 0;
  /// A build with its last `maxLines` log lines.
  virtual std::optional<BuildRecord> findBuild(const std::string& id, std::size_t maxLines) = 0;
  /// The newest builds, newest first, without logs.
  virtual std::vector<BuildRecord> recentBuilds(std::size_t limit) = 0;

  /// Takes the lease `name` for `owner` until `expiresAt` unless another
  /// owner holds it at `now`. True when `owner` holds it now.
  virtual bool takeLease(const std::string& name, const std::string& owner, std::int64_t now,
                         std::int64_t expiresAt) = 0;
  /// Gives the lease back, when `owner` holds it.
  virtual void releaseLease(const std::string& name, const std::string& owner) = 0;
};

}  // namespace strata
