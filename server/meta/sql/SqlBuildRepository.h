#pragma once

#include <atomic>

#include "meta/BuildRepository.h"

namespace strata {

class SqlDatabase;

/// BuildRepository on any SQL engine (meta/sql/).
class SqlBuildRepository : public BuildRepository {
 public:
  explicit SqlBuildRepository(SqlDatabase& db) : db_(db) {}

  bool claim(const std::string& cacheKey, const std::string& owner, const std::string& buildId,
             std::int64_t now, std::int64_t expiresAt) override;
  std::optional<BuildClaim> findClaim(const std::string& cacheKey) override;
  void dropClaims() override;
  void renewClaim(const std::string& cacheKey, const std::string& owner,
                  std::int64_t expiresAt) override;
  void releaseClaim(const std::string& cacheKey, const std::string& owner) override;
  void failClaim(const std::string& cacheKey, const std::string& owner,
                 const std::string& errorKind, const std::string& message,
                 const std::string& detail, std::int64_t expiresAt) override;
  void saveBuild(const BuildRecord& build, std::size_t keep) override;
  void appendLog(const std::string& buildId, std::int64_t firstSeq,
                 const std::vector<std::string>& lines, std::size_t keepLines) override;
  std::optional<BuildRecord> findBuild(const std::string& id, std::size_t maxLines) override;
  std::vector<BuildRecord> recentBuilds(std::size_t limit) override;
  bool takeLease(const std::string& name, const std::string& owner, std::int64_t now,
                 std::int64_t expiresAt) override;
  void releaseLease(const std::string& name, const std::string& owner) override;

 private:
  SqlDatabase& db_;
  std::atomic<unsigned> saves_{0};
};

}  // namespace strata
