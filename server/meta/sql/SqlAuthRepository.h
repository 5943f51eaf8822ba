#pragma once

#include "meta/AuthRepository.h"

namespace strata {

class SqlDatabase;

/// AuthRepository on SQLite.
class SqlAuthRepository : public AuthRepository {
 public:
  explicit SqlAuthRepository(SqlDatabase& db) : db_(db) {}

  bool addUser(const std::string& name, const std::string& passwordHash, std::int64_t now) override;
  std::optional<UserRecord> findUser(const std::string& name) override;
  std::optional<UserRecord> findUserById(std::int64_t id) override;
  std::vector<UserRecord> listUsers() override;
  bool addTeam(const std::string& name, std::int64_t now) override;
  std::optional<TeamRecord> findTeam(const std::string& name) override;
  std::vector<TeamRecord> listTeams() override;
  bool addMember(std::int64_t teamId, std::int64_t userId, std::int64_t now) override;
  bool removeMember(std::int64_t teamId, std::int64_t userId) override;
  std::vector<std::string> teamsOf(std::int64_t userId) override;
  bool addToken(std::int64_t userId, const std::string& name, const std::string& secretHash,
                std::int64_t now, std::optional<std::int64_t> expiresAt) override;
  std::optional<ApiTokenRecord> findTokenBySecretHash(const std::string& secretHash,
                                                      std::string& storedHash) override;
  std::optional<ApiTokenRecord> findTokenById(std::int64_t id) override;
  std::vector<ApiTokenRecord> listTokens(std::int64_t userId) override;
  bool revokeToken(std::int64_t userId, const std::string& name, std::int64_t now) override;
  void touchToken(std::int64_t id, std::int64_t now) override;
  bool addGrant(std::int64_t teamId, const std::string& source, const std::string& packageGlob,
                const std::string& action, std::int64_t now) override;
  bool removeGrant(std::int64_t teamId, const std::string& source, const std::string& packageGlob,
                   const std::string& action) override;
  std::vector<GrantRecord> listGrants() override;
  std::vector<GrantRecord> grantsOf(const std::vector<std::string>& teams) override;
  void audit(const AuditRecord& record) override;
  std::vector<AuditRecord> listAudit(std::size_t limit, const std::string& kind) override;

 private:
  SqlDatabase& db_;
};

}  // namespace strata
