#include "auth/AuthAdmin.h"

#include <ctime>

#include "auth/Glob.h"
#include "auth/PasswordHasher.h"
#include "auth/Secrets.h"
#include "auth/Subject.h"
#include "config/Config.h"
#include "util/Error.h"
#include "util/Sha256.h"

namespace strata {
namespace {

std::int64_t nowSeconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

[[noreturn]] void refuse(const std::string& message) {
  throw Error(ErrorKind::BadRequest, message);
}

}  // namespace

std::string AuthAdmin::invalidNameReason(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > 64) return "is longer than 64 characters";
  if (!isAlnum(name.front())) return "must start with a letter or a digit";
  for (char c : name)
    if (!isAlnum(c) && c != '.' && c != '_' && c != '-' && c != '@')
      return "may only hold letters, digits, '.', '_', '-' and '@'";
  return {};
}

std::string AuthAdmin::shown(std::string_view value) {
  std::string out;
  for (char c : value.substr(0, 48)) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  if (value.size() > 48) out += "...";
  return out;
}

void AuthAdmin::checkName(const std::string& what, const std::string& name) {
  if (auto why = invalidNameReason(name); !why.empty())
    refuse("invalid " + what + " name '" + shown(name) + "': " + why);
}

UserRecord AuthAdmin::requireUser(const std::string& name) {
  checkName("user", name);
  auto u = repo_.findUser(name);
  if (!u) throw Error(ErrorKind::UnknownName, "no user '" + name + "'");
  return *u;
}

TeamRecord AuthAdmin::requireTeam(const std::string& name) {
  checkName("team", name);
  auto t = repo_.findTeam(name);
  if (!t) throw Error(ErrorKind::UnknownName, "no team '" + name + "'");
  return *t;
}

void AuthAdmin::record(const Actor& actor, const std::string& target, const std::string& detail) {
  repo_.audit({0, nowSeconds(), "admin", actor.name, actor.clientAddress, target, detail});
}

void AuthAdmin::checkNewUser(const std::string& name) {
  checkName("user", name);
  if (name == kAnonymousTeam) refuse("'anonymous' is reserved: choose another user name");
  if (repo_.findUser(name)) refuse("user '" + name + "' exists already");
}

void AuthAdmin::addUser(const Actor& actor, const std::string& name, const std::string& password) {
  checkNewUser(name);
  if (password.empty()) refuse("the password is empty");
  if (password.size() > kMaxPasswordBytes) refuse("the password is longer than 1024 bytes");
  for (char c : password)
    if (c == '\0' || c == '\n' || c == '\r') refuse("the password holds a line break or NUL");
  if (!repo_.addUser(name, hasher_.hash(password), nowSeconds()))
    refuse("user '" + name + "' exists already");
  record(actor, name, "user add");
}

void AuthAdmin::addTeam(const Actor& actor, const std::string& name) {
  checkName("team", name);
  if (!repo_.addTeam(name, nowSeconds())) refuse("team '" + name + "' exists already");
  record(actor, name, "team add");
}

bool AuthAdmin::addMember(const Actor& actor, const std::string& team, const std::string& user) {
  TeamRecord t = requireTeam(team);
  UserRecord u = requireUser(user);
  if (t.builtin)
    refuse("team '" + team + "' is built in and holds no members: its grants apply to " +
           "anonymous requests when auth.anonymousPull is on");
  if (!repo_.addMember(t.id, u.id, nowSeconds())) return false;
  record(actor, team, "team add-member " + user);
  return true;
}

void AuthAdmin::removeMember(const Actor& actor, const std::string& team, const std::string& user) {
  TeamRecord t = requireTeam(team);
  UserRecord u = requireUser(user);
  if (!repo_.removeMember(t.id, u.id))
    throw Error(ErrorKind::UnknownName,
                "user '" + user + "' is not a member of team '" + team + "'");
  record(actor, team, "team remove-member " + user);
}

void AuthAdmin::checkGrant(const GrantRecord& g) {
  if (g.action != "pull" && g.action != "admin")
    refuse("invalid action '" + shown(g.action) + "': use pull or admin");
  if (g.source != "*") {
    bool known = false;
    std::string names;
    for (const auto& s : config_.sources) {
      known = known || s.name == g.source;
      names += (names.empty() ? "" : ", ") + s.name;
    }
    if (!known)
      refuse("no source '" + shown(g.source) + "' is configured (known: " + names +
             "; '*' means every source)");
  }
  if (auto why = invalidGlobReason(g.packageGlob); !why.empty())
    refuse("invalid package glob '" + shown(g.packageGlob) + "': " + why);
  if (g.action == "admin" && (g.source != "*" || g.packageGlob != "*"))
    refuse("an admin grant covers the whole registry: use source '*' and package glob '*'");
}

bool AuthAdmin::grant(const Actor& actor, const GrantRecord& g) {
  TeamRecord t = requireTeam(g.team);
  checkGrant(g);
  if (!repo_.addGrant(t.id, g.source, g.packageGlob, g.action, nowSeconds())) return false;
  record(actor, g.team, "grant " + g.source + " " + g.packageGlob + " " + g.action);
  return true;
}

void AuthAdmin::revoke(const Actor& actor, const GrantRecord& g) {
  TeamRecord t = requireTeam(g.team);
  if (!repo_.removeGrant(t.id, g.source, g.packageGlob, g.action))
    throw Error(ErrorKind::UnknownName, "team '" + g.team + "' has no grant '" + shown(g.source) +
                                            " " + shown(g.packageGlob) + " " + shown(g.action) +
                                            "'");
  record(actor, g.team, "revoke " + g.source + " " + g.packageGlob + " " + g.action);
}

CreatedApiToken AuthAdmin::createToken(const Actor& actor, const std::string& user,
                                       const std::string& name, std::optional<int> expiresDays) {
  UserRecord u = requireUser(user);
  checkName("token", name);
  if (expiresDays && (*expiresDays < 1 || *expiresDays > kMaxExpiresDays))
    refuse("the expiry must be between 1 and 3650 days");
  CreatedApiToken out;
  out.name = name;
  // 256 random bits: guessing is hopeless, so a plain SHA-256 (no salt, no
  // slow KDF) is enough to keep the database free of usable secrets.
  out.secret = std::string("strata_") + secrets::base64Url(secrets::randomBytes(32));
  std::int64_t at = nowSeconds();
  if (expiresDays) out.expiresAt = at + static_cast<std::int64_t>(*expiresDays) * 86400;
  if (!repo_.addToken(u.id, name, Sha256::hex(out.secret), at, out.expiresAt))
    refuse("user '" + user + "' has an active token named '" + name + "' already");
  record(actor, user, "token create " + name);
  return out;
}

void AuthAdmin::revokeToken(const Actor& actor, const std::string& user, const std::string& name) {
  UserRecord u = requireUser(user);
  checkName("token", name);
  if (!repo_.revokeToken(u.id, name, nowSeconds()))
    throw Error(ErrorKind::UnknownName,
                "user '" + user + "' has no active token named '" + name + "'");
  record(actor, user, "token revoke " + name);
}

std::vector<ApiTokenRecord> AuthAdmin::tokens(const std::string& user) {
  return repo_.listTokens(requireUser(user).id);
}

}  // namespace strata
