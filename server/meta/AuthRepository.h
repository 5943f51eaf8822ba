#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strata {

struct UserRecord {
  std::int64_t id = 0;
  std::string name;
  std::string passwordHash;  ///< encoded scrypt string, never the password
  std::int64_t createdAt = 0;
};

struct TeamRecord {
  std::int64_t id = 0;
  std::string name;
  bool builtin = false;
  std::int64_t createdAt = 0;
  std::vector<std::string> members;  ///< user names, sorted (listTeams only)
};

struct ApiTokenRecord {
  std::int64_t id = 0;
  std::int64_t userId = 0;
  std::string user;  ///< the owner's name
  std::string name;
  std::int64_t createdAt = 0;
  std::optional<std::int64_t> expiresAt;
  std::optional<std::int64_t> revokedAt;
  std::optional<std::int64_t> lastUsedAt;

  /// Neither revoked nor expired at `now`.
  bool activeAt(std::int64_t now) const { return !revokedAt && (!expiresAt || *expiresAt > now); }
};

struct GrantRecord {
  std::string team;
  std::string source;       ///< a source name or "*"
  std::string packageGlob;  ///< fnmatch glob over attribute paths
  std::string action;       ///< "pull" or "admin"
  std::int64_t createdAt = 0;

  bool operator==(const GrantRecord& o) const {
    return team == o.team && source == o.source && packageGlob == o.packageGlob &&
           action == o.action;
  }
};

struct AuditRecord {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::string kind;  ///< "pull", "denied", "login_failed", "admin"
  std::string actor;
  std::string clientAddress;
  std::string target;
  std::string detail;
};

/// Users, teams, memberships, API tokens, grants and the audit log in the
/// metadata database. Every value is a bound parameter; nothing here checks
/// names or permissions (auth/AuthAdmin does), it only stores and reads.
/// Methods that add return false when the row exists already; methods that
/// remove return false when there was nothing to remove. One implementation
/// per database engine (meta/sqlite/).
class AuthRepository {
 public:
  virtual ~AuthRepository() = default;

  virtual bool addUser(const std::string& name, const std::string& passwordHash,
                       std::int64_t now) = 0;
  virtual std::optional<UserRecord> findUser(const std::string& name) = 0;
  virtual std::optional<UserRecord> findUserById(std::int64_t id) = 0;
  virtual std::vector<UserRecord> listUsers() = 0;  ///< sorted by name, without password hashes

  virtual bool addTeam(const std::string& name, std::int64_t now) = 0;
  virtual std::optional<TeamRecord> findTeam(const std::string& name) = 0;
  virtual std::vector<TeamRecord> listTeams() = 0;  ///< sorted by name, with members
  virtual bool addMember(std::int64_t teamId, std::int64_t userId, std::int64_t now) = 0;
  virtual bool removeMember(std::int64_t teamId, std::int64_t userId) = 0;
  /// Names of the teams `userId` belongs to, sorted.
  virtual std::vector<std::string> teamsOf(std::int64_t userId) = 0;

  /// Stores an API token (its secret's SHA-256 only). False when the user
  /// has an active token of that name already.
  virtual bool addToken(std::int64_t userId, const std::string& name, const std::string& secretHash,
                        std::int64_t now, std::optional<std::int64_t> expiresAt) = 0;
  /// The token whose secret hashes to `secretHash`, revoked or not, with the
  /// stored hash in `storedHash` for a constant-time comparison.
  virtual std::optional<ApiTokenRecord> findTokenBySecretHash(const std::string& secretHash,
                                                              std::string& storedHash) = 0;
  virtual std::optional<ApiTokenRecord> findTokenById(std::int64_t id) = 0;
  virtual std::vector<ApiTokenRecord> listTokens(std::int64_t userId) = 0;
  /// Revokes the user's active token of that name.
  virtual bool revokeToken(std::int64_t userId, const std::string& name, std::int64_t now) = 0;
  /// Records a use, at most once a minute per token (it is a write).
  virtual void touchToken(std::int64_t id, std::int64_t now) = 0;

  virtual bool addGrant(std::int64_t teamId, const std::string& source,
                        const std::string& packageGlob, const std::string& action,
                        std::int64_t now) = 0;
  virtual bool removeGrant(std::int64_t teamId, const std::string& source,
                           const std::string& packageGlob, const std::string& action) = 0;
  virtual std::vector<GrantRecord> listGrants() = 0;  ///< sorted by team, source, glob, action
  /// The grants of the named teams (unknown names contribute nothing).
  virtual std::vector<GrantRecord> grantsOf(const std::vector<std::string>& teams) = 0;

  virtual void audit(const AuditRecord& record) = 0;
  /// The newest `limit` rows, newest first; `kind` empty for every kind.
  virtual std::vector<AuditRecord> listAudit(std::size_t limit, const std::string& kind = "") = 0;
};

}  // namespace strata
