#include "cli/AuthCommands.h"

#include <pwd.h>
#include <unistd.h>

#include <ctime>
#include <optional>
#include <stdexcept>

#include "auth/AuthAdmin.h"

namespace strata {
namespace {

[[noreturn]] void usage(const std::string& text) {
  throw std::invalid_argument("usage: strata admin " + text);
}

std::string date(std::int64_t t) {
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string readPassword(std::istream& in) {
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error("no password on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) throw std::runtime_error("the password is empty");
  return line;
}

int userVerb(AuthAdmin& admin, const Actor& actor, const std::vector<std::string>& v,
             std::istream& in, std::ostream& out) {
  if (v.size() == 3 && v[1] == "add") {
    admin.checkNewUser(v[2]);  // refuse a bad or taken name before waiting for a password
    std::string password = readPassword(in);
    admin.addUser(actor, v[2], password);
    out << "user " << v[2] << " added\n";
    return 0;
  }
  if (v.size() == 2 && v[1] == "list") {
    for (const auto& u : admin.users()) out << u.name << "\n";
    return 0;
  }
  usage("user add NAME (password on stdin) | user list");
}

int teamVerb(AuthAdmin& admin, const Actor& actor, const std::vector<std::string>& v,
             std::ostream& out) {
  if (v.size() == 3 && v[1] == "add") {
    admin.addTeam(actor, v[2]);
    out << "team " << v[2] << " added\n";
    return 0;
  }
  if (v.size() == 4 && v[1] == "add-member") {
    bool added = admin.addMember(actor, v[2], v[3]);
    out << "user " << v[3] << (added ? " added to" : " already in") << " team " << v[2] << "\n";
    return 0;
  }
  if (v.size() == 4 && v[1] == "remove-member") {
    admin.removeMember(actor, v[2], v[3]);
    out << "user " << v[3] << " removed from team " << v[2] << "\n";
    return 0;
  }
  if (v.size() == 2 && v[1] == "list") {
    for (const auto& t : admin.teams()) {
      out << t.name << (t.builtin ? " (built-in)" : "") << ":";
      for (const auto& m : t.members) out << " " << m;
      out << "\n";
    }
    return 0;
  }
  usage("team add NAME | team add-member TEAM USER | team remove-member TEAM USER | team list");
}

int grantVerb(AuthAdmin& admin, const Actor& actor, const std::vector<std::string>& v,
              std::ostream& out) {
  if (v[0] == "grant" && v.size() == 2 && v[1] == "list") {
    for (const auto& g : admin.grants())
      out << g.team << " " << g.source << " " << g.packageGlob << " " << g.action << "\n";
    return 0;
  }
  if (v.size() != 5)
    usage(v[0] + " TEAM SOURCE PACKAGE_GLOB ACTION (ACTION: pull or admin; SOURCE '*' = all)" +
          (v[0] == "grant" ? " | grant list" : ""));
  GrantRecord g{v[1], v[2], v[3], v[4], 0};
  if (v[0] == "grant") {
    bool added = admin.grant(actor, g);
    out << (added ? "granted" : "already granted") << ": team " << g.team << " may " << g.action
        << " " << g.packageGlob << " from " << g.source << "\n";
  } else {
    admin.revoke(actor, g);
    out << "revoked: team " << g.team << " " << g.action << " " << g.packageGlob << " from "
        << g.source << "\n";
  }
  return 0;
}

int tokenVerb(AuthAdmin& admin, const Actor& actor, const std::vector<std::string>& v,
              std::ostream& out) {
  if (v.size() >= 4 && v[1] == "create") {
    std::optional<int> days;
    for (std::size_t i = 4; i < v.size(); ++i) {
      std::string value;
      if (v[i] == "--expires-days" && i + 1 < v.size())
        value = v[++i];
      else if (v[i].rfind("--expires-days=", 0) == 0)
        value = v[i].substr(15);
      else
        usage("token create USER NAME [--expires-days N]");
      if (value.empty() || value.size() > 5 ||
          value.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("--expires-days needs a number of days (1-3650)");
      days = std::stoi(value);
    }
    auto created = admin.createToken(actor, v[2], v[3], days);
    out << created.secret << "\n";  // the only time it is shown; nothing else on stdout
    return 0;
  }
  if (v.size() == 4 && v[1] == "revoke") {
    admin.revokeToken(actor, v[2], v[3]);
    out << "token " << v[3] << " of user " << v[2] << " revoked\n";
    return 0;
  }
  if (v.size() == 3 && v[1] == "list") {
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    for (const auto& t : admin.tokens(v[2])) {
      out << t.name << " created " << date(t.createdAt);
      if (t.expiresAt) out << " expires " << date(*t.expiresAt);
      if (t.revokedAt) out << " revoked " << date(*t.revokedAt);
      if (t.lastUsedAt) out << " last-used " << date(*t.lastUsedAt);
      out << (t.activeAt(now) ? " active" : " inactive") << "\n";
    }
    return 0;
  }
  usage("token create USER NAME [--expires-days N] | token revoke USER NAME | token list USER");
}

int auditVerb(AuthAdmin& admin, const std::vector<std::string>& v, std::ostream& out) {
  std::size_t limit = 50;
  if (v.size() > 2) usage("audit [N]");
  if (v.size() == 2) {
    if (v[1].empty() || v[1].size() > 5 ||
        v[1].find_first_not_of("0123456789") != std::string::npos)
      usage("audit [N]");
    limit = std::stoul(v[1]);
  }
  for (const auto& a : admin.audit(limit, ""))
    out << date(a.at) << " " << a.kind << " actor=" << (a.actor.empty() ? "-" : a.actor)
        << " address=" << (a.clientAddress.empty() ? "-" : a.clientAddress)
        << " target=" << a.target << " " << a.detail << "\n";
  return 0;
}

}  // namespace

bool isAuthVerb(const std::string& verb) {
  return verb == "user" || verb == "team" || verb == "grant" || verb == "revoke" ||
         verb == "token" || verb == "audit";
}

std::string cliActorName() {
  uid_t uid = ::geteuid();
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr)
    return std::string("cli:") + found->pw_name;
  return "cli:uid" + std::to_string(uid);
}

int runAuthCommand(AuthAdmin& admin, const std::vector<std::string>& verb, std::istream& in,
                   std::ostream& out) {
  Actor actor{cliActorName(), ""};
  const std::string& v = verb.front();
  if (v == "user") return userVerb(admin, actor, verb, in, out);
  if (v == "team") return teamVerb(admin, actor, verb, out);
  if (v == "grant" || v == "revoke") return grantVerb(admin, actor, verb, out);
  if (v == "token") return tokenVerb(admin, actor, verb, out);
  if (v == "audit") return auditVerb(admin, verb, out);
  throw std::invalid_argument("unknown admin verb '" + v + "'");
}

}  // namespace strata
