#include "meta/sql/SqlAuthRepository.h"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>

#include <algorithm>
#include <map>

#include "meta/sql/SqlDatabase.h"
#include "meta/sql/SqlErrors.h"

namespace strata {

using namespace Poco::Data::Keywords;

namespace {

std::optional<std::int64_t> optionalTime(Poco::Int64 v) {
  if (v < 0) return std::nullopt;
  return v;
}

// Nullable columns are read through COALESCE(col, -1): times are never negative.
const char* kTokenColumns =
    "t.id, t.user_id, u.name, t.name, t.created_at, COALESCE(t.expires_at, -1), "
    "COALESCE(t.revoked_at, -1), COALESCE(t.last_used_at, -1), t.secret_hash";

struct TokenRows {
  std::vector<Poco::Int64> id, userId, createdAt, expiresAt, revokedAt, lastUsedAt;
  std::vector<std::string> user, name, hash;

  ApiTokenRecord at(std::size_t i) const {
    ApiTokenRecord r;
    r.id = id[i];
    r.userId = userId[i];
    r.user = user[i];
    r.name = name[i];
    r.createdAt = createdAt[i];
    r.expiresAt = optionalTime(expiresAt[i]);
    r.revokedAt = optionalTime(revokedAt[i]);
    r.lastUsedAt = optionalTime(lastUsedAt[i]);
    return r;
  }
};

}  // namespace

bool SqlAuthRepository::addUser(const std::string& name, const std::string& passwordHash,
                                std::int64_t at) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    std::string n = name, h = passwordHash;
    Poco::Int64 t = at;
    Poco::Data::Statement st(s);
    st << db_.sql(
        "INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) "
        "DO "
        "NOTHING"),
        use(n), use(h), use(t);
    return st.execute() == 1;
  });
}

std::optional<UserRecord> SqlAuthRepository::findUser(const std::string& name) {
  return guarded([&]() -> std::optional<UserRecord> {
    auto s = db_.session();
    std::string n = name;
    std::vector<Poco::Int64> ids, created;
    std::vector<std::string> names, hashes;
    s << db_.sql("SELECT id, name, password_hash, created_at FROM users WHERE name = ?"), use(n),
        into(ids), into(names), into(hashes), into(created), now;
    if (ids.empty()) return std::nullopt;
    return UserRecord{ids[0], names[0], hashes[0], created[0]};
  });
}

std::optional<UserRecord> SqlAuthRepository::findUserById(std::int64_t id) {
  return guarded([&]() -> std::optional<UserRecord> {
    auto s = db_.session();
    Poco::Int64 i = id;
    std::vector<Poco::Int64> ids, created;
    std::vector<std::string> names, hashes;
    s << db_.sql("SELECT id, name, password_hash, created_at FROM users WHERE id = ?"), use(i),
        into(ids), into(names), into(hashes), into(created), now;
    if (ids.empty()) return std::nullopt;
    return UserRecord{ids[0], names[0], hashes[0], created[0]};
  });
}

std::vector<UserRecord> SqlAuthRepository::listUsers() {
  return guarded([&]() -> std::vector<UserRecord> {
    auto s = db_.session();
    std::vector<Poco::Int64> ids, created;
    std::vector<std::string> names;
    s << db_.sql("SELECT id, name, created_at FROM users ORDER BY name"), into(ids), into(names),
        into(created), now;
    std::vector<UserRecord> out;
    for (std::size_t i = 0; i < ids.size(); ++i) out.push_back({ids[i], names[i], "", created[i]});
    return out;
  });
}

bool SqlAuthRepository::addTeam(const std::string& name, std::int64_t at) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    std::string n = name;
    Poco::Int64 t = at;
    Poco::Data::Statement st(s);
    st << db_.sql(
        "INSERT INTO teams (name, builtin, created_at) VALUES (?, 0, ?) ON CONFLICT (name) DO "
        "NOTHING"),
        use(n), use(t);
    return st.execute() == 1;
  });
}

std::optional<TeamRecord> SqlAuthRepository::findTeam(const std::string& name) {
  return guarded([&]() -> std::optional<TeamRecord> {
    auto s = db_.session();
    std::string n = name;
    std::vector<Poco::Int64> ids, builtin, created;
    std::vector<std::string> names;
    s << db_.sql("SELECT id, name, builtin, created_at FROM teams WHERE name = ?"), use(n),
        into(ids), into(names), into(builtin), into(created), now;
    if (ids.empty()) return std::nullopt;
    return TeamRecord{ids[0], names[0], builtin[0] != 0, created[0], {}};
  });
}

std::vector<TeamRecord> SqlAuthRepository::listTeams() {
  return guarded([&]() -> std::vector<TeamRecord> {
    auto s = db_.session();
    std::vector<Poco::Int64> ids, builtin, created;
    std::vector<std::string> names;
    s << db_.sql("SELECT id, name, builtin, created_at FROM teams ORDER BY name"), into(ids),
        into(names), into(builtin), into(created), now;
    std::vector<std::string> teamNames, userNames;
    s << db_.sql(
        "SELECT t.name, u.name FROM memberships m JOIN teams t ON t.id = m.team_id JOIN users u ON "
        "u.id = m.user_id ORDER BY t.name, u.name"),
        into(teamNames), into(userNames), now;
    std::map<std::string, std::vector<std::string>> members;
    for (std::size_t i = 0; i < teamNames.size(); ++i)
      members[teamNames[i]].push_back(userNames[i]);
    std::vector<TeamRecord> out;
    for (std::size_t i = 0; i < ids.size(); ++i)
      out.push_back({ids[i], names[i], builtin[i] != 0, created[i], members[names[i]]});
    return out;
  });
}

bool SqlAuthRepository::addMember(std::int64_t teamId, std::int64_t userId, std::int64_t at) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    Poco::Int64 t = teamId, u = userId, when = at;
    Poco::Data::Statement st(s);
    st << db_.sql(
        "INSERT INTO memberships (team_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO "
        "NOTHING"),
        use(t), use(u), use(when);
    return st.execute() == 1;
  });
}

bool SqlAuthRepository::removeMember(std::int64_t teamId, std::int64_t userId) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    Poco::Int64 t = teamId, u = userId;
    Poco::Data::Statement st(s);
    st << db_.sql("DELETE FROM memberships WHERE team_id = ? AND user_id = ?"), use(t), use(u);
    return st.execute() == 1;
  });
}

std::vector<std::string> SqlAuthRepository::teamsOf(std::int64_t userId) {
  return guarded([&]() -> std::vector<std::string> {
    auto s = db_.session();
    Poco::Int64 u = userId;
    std::vector<std::string> out;
    s << db_.sql(
        "SELECT t.name FROM memberships m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ? "
        "ORDER BY t.name"),
        use(u), into(out), now;
    return out;
  });
}

bool SqlAuthRepository::addToken(std::int64_t userId, const std::string& name,
                                 const std::string& secretHash, std::int64_t at,
                                 std::optional<std::int64_t> expiresAt) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    Poco::Int64 u = userId, when = at;
    std::string n = name, h = secretHash;
    // The partial unique index (user_id, name WHERE revoked_at IS NULL) is the
    // conflict target: a revoked token's name may be used again.
    Poco::Data::Statement st(s);
    Poco::Int64 exp = expiresAt.value_or(0);  // bound by reference: lives until execute()
    if (expiresAt) {
      st << db_.sql(
          "INSERT INTO api_tokens (user_id, name, secret_hash, created_at, expires_at) VALUES (?, "
          "?, ?, ?, ?) ON CONFLICT (user_id, name) WHERE revoked_at IS NULL DO NOTHING"),
          use(u), use(n), use(h), use(when), use(exp);
    } else {
      st << db_.sql(
          "INSERT INTO api_tokens (user_id, name, secret_hash, created_at) VALUES (?, ?, ?, ?) ON "
          "CONFLICT (user_id, name) WHERE revoked_at IS NULL DO NOTHING"),
          use(u), use(n), use(h), use(when);
    }
    return st.execute() == 1;
  });
}

std::optional<ApiTokenRecord> SqlAuthRepository::findTokenBySecretHash(
    const std::string& secretHash, std::string& storedHash) {
  return guarded([&]() -> std::optional<ApiTokenRecord> {
    auto s = db_.session();
    std::string h = secretHash;
    TokenRows r;
    s << db_.sql(std::string("SELECT ") + kTokenColumns +
                 " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = ?"),
        use(h), into(r.id), into(r.userId), into(r.user), into(r.name), into(r.createdAt),
        into(r.expiresAt), into(r.revokedAt), into(r.lastUsedAt), into(r.hash), now;
    if (r.id.empty()) return std::nullopt;
    storedHash = r.hash[0];
    return r.at(0);
  });
}

std::optional<ApiTokenRecord> SqlAuthRepository::findTokenById(std::int64_t id) {
  return guarded([&]() -> std::optional<ApiTokenRecord> {
    auto s = db_.session();
    Poco::Int64 i = id;
    TokenRows r;
    s << db_.sql(std::string("SELECT ") + kTokenColumns +
                 " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?"),
        use(i), into(r.id), into(r.userId), into(r.user), into(r.name), into(r.createdAt),
        into(r.expiresAt), into(r.revokedAt), into(r.lastUsedAt), into(r.hash), now;
    if (r.id.empty()) return std::nullopt;
    return r.at(0);
  });
}

std::vector<ApiTokenRecord> SqlAuthRepository::listTokens(std::int64_t userId) {
  return guarded([&]() -> std::vector<ApiTokenRecord> {
    auto s = db_.session();
    Poco::Int64 u = userId;
    TokenRows r;
    s << db_.sql(
        std::string("SELECT ") + kTokenColumns +
        " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.user_id = ? ORDER BY t.name, "
        "t.id"),
        use(u), into(r.id), into(r.userId), into(r.user), into(r.name), into(r.createdAt),
        into(r.expiresAt), into(r.revokedAt), into(r.lastUsedAt), into(r.hash), now;
    std::vector<ApiTokenRecord> out;
    for (std::size_t i = 0; i < r.id.size(); ++i) out.push_back(r.at(i));
    return out;
  });
}

bool SqlAuthRepository::revokeToken(std::int64_t userId, const std::string& name, std::int64_t at) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    Poco::Int64 u = userId, when = at;
    std::string n = name;
    Poco::Data::Statement st(s);
    st << db_.sql(
        "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND name = ? AND revoked_at IS "
        "NULL"),
        use(when), use(u), use(n);
    return st.execute() >= 1;
  });
}

void SqlAuthRepository::touchToken(std::int64_t id, std::int64_t at) {
  return guarded([&]() -> void {
    auto s = db_.session();
    Poco::Int64 i = id, when = at, before = at - 60;
    s << db_.sql(
        "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR "
        "last_used_at < ?)"),
        use(when), use(i), use(before), now;
  });
}

bool SqlAuthRepository::addGrant(std::int64_t teamId, const std::string& source,
                                 const std::string& packageGlob, const std::string& action,
                                 std::int64_t at) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    Poco::Int64 t = teamId, when = at;
    std::string src = source, glob = packageGlob, act = action;
    Poco::Data::Statement st(s);
    st << db_.sql(
        "INSERT INTO grants (team_id, source, package_glob, action, created_at) VALUES (?, ?, ?, "
        "?, "
        "?) ON CONFLICT DO NOTHING"),
        use(t), use(src), use(glob), use(act), use(when);
    return st.execute() == 1;
  });
}

bool SqlAuthRepository::removeGrant(std::int64_t teamId, const std::string& source,
                                    const std::string& packageGlob, const std::string& action) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    Poco::Int64 t = teamId;
    std::string src = source, glob = packageGlob, act = action;
    Poco::Data::Statement st(s);
    st << db_.sql(
        "DELETE FROM grants WHERE team_id = ? AND source = ? AND package_glob = ? AND action = ?"),
        use(t), use(src), use(glob), use(act);
    return st.execute() == 1;
  });
}

std::vector<GrantRecord> SqlAuthRepository::listGrants() {
  return guarded([&]() -> std::vector<GrantRecord> {
    auto s = db_.session();
    std::vector<std::string> teams, sources, globs, actions;
    std::vector<Poco::Int64> created;
    s << db_.sql(
        "SELECT t.name, g.source, g.package_glob, g.action, g.created_at FROM grants g JOIN teams "
        "t "
        "ON t.id = g.team_id ORDER BY t.name, g.source, g.package_glob, g.action"),
        into(teams), into(sources), into(globs), into(actions), into(created), now;
    std::vector<GrantRecord> out;
    for (std::size_t i = 0; i < teams.size(); ++i)
      out.push_back({teams[i], sources[i], globs[i], actions[i], created[i]});
    return out;
  });
}

std::vector<GrantRecord> SqlAuthRepository::grantsOf(const std::vector<std::string>& teamNames) {
  return guarded([&]() -> std::vector<GrantRecord> {
    auto s = db_.session();
    std::vector<GrantRecord> out;
    for (const auto& team : teamNames) {
      std::string n = team;
      std::vector<std::string> sources, globs, actions;
      std::vector<Poco::Int64> created;
      s << db_.sql(
          "SELECT g.source, g.package_glob, g.action, g.created_at FROM grants g JOIN teams t ON "
          "t.id = g.team_id WHERE t.name = ?"),
          use(n), into(sources), into(globs), into(actions), into(created), now;
      for (std::size_t i = 0; i < sources.size(); ++i)
        out.push_back({team, sources[i], globs[i], actions[i], created[i]});
    }
    return out;
  });
}

void SqlAuthRepository::audit(const AuditRecord& record) {
  return guarded([&]() -> void {
    auto s = db_.session();
    AuditRecord r = record;
    Poco::Int64 at = r.at;
    s << db_.sql(
        "INSERT INTO audit_log (at, kind, actor, client_address, target, detail) VALUES (?, ?, ?, "
        "?, ?, ?)"),
        use(at), use(r.kind), use(r.actor), use(r.clientAddress), use(r.target), use(r.detail), now;
  });
}

std::vector<AuditRecord> SqlAuthRepository::listAudit(std::size_t limit, const std::string& kind) {
  return guarded([&]() -> std::vector<AuditRecord> {
    auto s = db_.session();
    std::vector<Poco::Int64> ids, ats;
    std::vector<std::string> kinds, actors, addresses, targets, details;
    Poco::Int64 lim = static_cast<Poco::Int64>(limit);
    std::string k = kind, k2 = kind;
    s << db_.sql(
        "SELECT id, at, kind, actor, client_address, target, detail FROM audit_log WHERE (CAST(? "
        "AS TEXT) = '' "
        "OR kind = ?) ORDER BY id DESC LIMIT ?"),
        use(k), use(k2), use(lim), into(ids), into(ats), into(kinds), into(actors), into(addresses),
        into(targets), into(details), now;
    std::vector<AuditRecord> out;
    for (std::size_t i = 0; i < ids.size(); ++i)
      out.push_back({ids[i], ats[i], kinds[i], actors[i], addresses[i], targets[i], details[i]});
    return out;
  });
}

}  // namespace strata
