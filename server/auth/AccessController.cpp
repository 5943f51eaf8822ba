#include "auth/AccessController.h"

#include <algorithm>

#include "auth/Glob.h"
#include "config/Config.h"
#include "util/Error.h"

namespace strata {

std::vector<std::string> AccessController::notGranted(const std::vector<GrantRecord>& grants,
                                                      const std::string& source,
                                                      const std::vector<std::string>& packages,
                                                      const std::vector<std::string>& exempt) {
  std::vector<const GrantRecord*> relevant;
  for (const auto& g : grants)
    if (g.action == "pull" && (g.source == "*" || g.source == source)) relevant.push_back(&g);
  std::vector<std::string> denied;
  bool checked = false;
  for (const auto& pkg : packages) {
    if (std::find(exempt.begin(), exempt.end(), pkg) != exempt.end()) continue;
    checked = true;
    bool ok = std::any_of(relevant.begin(), relevant.end(),
                          [&](const GrantRecord* g) { return globMatch(g->packageGlob, pkg); });
    if (!ok) denied.push_back(pkg);
  }
  // An image of exempt packages only still needs the right to pull from the source.
  if (!checked && relevant.empty()) denied = packages;
  std::sort(denied.begin(), denied.end());
  denied.erase(std::unique(denied.begin(), denied.end()), denied.end());
  return denied;
}

std::vector<std::string> AccessController::effectiveTeams(const Subject& subject) const {
  std::vector<std::string> teams;
  if (!subject.anonymous()) teams = subject.teams;
  if (config_.auth.anonymousPull &&
      std::find(teams.begin(), teams.end(), kAnonymousTeam) == teams.end())
    teams.push_back(kAnonymousTeam);
  return teams;
}

std::vector<GrantRecord> AccessController::grantsFor(const Subject& subject) {
  return repo_.grantsOf(effectiveTeams(subject));
}

std::vector<std::string> AccessController::deniedPackages(const std::vector<GrantRecord>& grants,
                                                          const ImageRequest& request) const {
  std::vector<std::string> exempt;
  for (const auto& s : config_.sources)
    if (s.name == request.source) exempt = s.alwaysInclude;
  return notGranted(grants, request.source, request.packages, exempt);
}

std::vector<std::string> AccessController::deniedPackages(const Subject& subject,
                                                          const ImageRequest& request) {
  return deniedPackages(grantsFor(subject), request);
}

void AccessController::requirePull(const Subject& subject, const ImageRequest& request) {
  auto denied = deniedPackages(subject, request);
  if (!denied.empty())
    throw Error(ErrorKind::Denied, deniedMessage(subject, request.source, denied));
}

bool AccessController::isAdmin(const Subject& subject) {
  if (subject.anonymous()) return false;
  for (const auto& g : repo_.grantsOf(subject.teams))
    if (g.action == "admin" && g.source == "*") return true;
  return false;
}

std::string deniedMessage(const Subject& subject, const std::string& source,
                          const std::vector<std::string>& packages) {
  std::string list;
  for (const auto& p : packages) list += (list.empty() ? "" : ", ") + p;
  std::string who = subject.anonymous() ? "anonymous" : "user '" + subject.user + "'";
  return "access denied: " + who + " has no pull grant for " +
         (packages.size() == 1 ? "package " : "packages ") + list + " of source '" + source + "'";
}

}  // namespace strata
