#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meta/AuthRepository.h"

namespace strata {

struct Config;
class PasswordHasher;

/// Who makes an admin change, for the audit log.
struct Actor {
  std::string name;  ///< user name, or "cli:<os user>" for `strata admin`
  std::string clientAddress;
};

struct CreatedApiToken {
  std::string secret;  ///< shown once, never stored
  std::string name;
  std::optional<std::int64_t> expiresAt;
};

/// The admin verbs shared by `strata admin` and the /api/v1/ admin API:
/// checks every name and value, stores through AuthRepository, writes an
/// audit row per change. Throws strata::Error: BadRequest for a refused value
/// or a duplicate, UnknownName for a user or team that does not exist.
///
/// Names (users, teams, token names): 1–64 characters of A–Z a–z 0–9 . _ - @,
/// starting with a letter or a digit. Anything else is refused, never
/// escaped, so what is stored is exactly what was typed.
class AuthAdmin {
 public:
  AuthAdmin(AuthRepository& repo, const PasswordHasher& hasher, const Config& config)
      : repo_(repo), hasher_(hasher), config_(config) {}

  void addUser(const Actor& actor, const std::string& name, const std::string& password);
  /// Throws what addUser would for the name alone (invalid, reserved,
  /// taken), so that the CLI can refuse before reading a password.
  void checkNewUser(const std::string& name);
  void addTeam(const Actor& actor, const std::string& name);
  /// False when the user was a member already.
  bool addMember(const Actor& actor, const std::string& team, const std::string& user);
  void removeMember(const Actor& actor, const std::string& team, const std::string& user);
  /// False when the grant existed already.
  bool grant(const Actor& actor, const GrantRecord& grant);
  void revoke(const Actor& actor, const GrantRecord& grant);
  CreatedApiToken createToken(const Actor& actor, const std::string& user, const std::string& name,
                              std::optional<int> expiresDays);
  void revokeToken(const Actor& actor, const std::string& user, const std::string& name);

  std::vector<UserRecord> users() { return repo_.listUsers(); }
  std::vector<TeamRecord> teams() { return repo_.listTeams(); }
  std::vector<GrantRecord> grants() { return repo_.listGrants(); }
  std::vector<ApiTokenRecord> tokens(const std::string& user);
  std::vector<AuditRecord> audit(std::size_t limit, const std::string& kind) {
    return repo_.listAudit(limit, kind);
  }

  /// Empty when `name` follows the name rule, else why not.
  static std::string invalidNameReason(std::string_view name);
  /// A value shown in a one-line message: control characters replaced, long
  /// values cut.
  static std::string shown(std::string_view value);

  static constexpr std::size_t kMaxPasswordBytes = 1024;
  static constexpr int kMaxExpiresDays = 3650;

 private:
  UserRecord requireUser(const std::string& name);
  TeamRecord requireTeam(const std::string& name);
  void checkName(const std::string& what, const std::string& name);
  void checkGrant(const GrantRecord& grant);
  void record(const Actor& actor, const std::string& target, const std::string& detail);

  AuthRepository& repo_;
  const PasswordHasher& hasher_;
  const Config& config_;
};

}  // namespace strata
