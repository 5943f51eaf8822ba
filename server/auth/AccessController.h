#pragma once

#include <string>
#include <vector>

#include "auth/Subject.h"
#include "image/ImageName.h"
#include "meta/AuthRepository.h"

namespace strata {

struct Config;

/// Decides whether a subject may pull an image or use the admin API, from
/// the live grants of its teams (every call reads them, so a revoked grant
/// takes effect at once).
///
/// An image is allowed when, for every requested package (meta-packages
/// expanded; the source's alwaysInclude packages are part of every image and
/// need no grant), some `pull` grant of the subject's teams names the image's
/// source (or "*") and has a package glob matching the package. When
/// auth.anonymousPull is on, the grants of the built-in `anonymous` team apply
/// to anonymous requests and to every user.
class AccessController {
 public:
  AccessController(AuthRepository& repo, const Config& config) : repo_(repo), config_(config) {}

  /// The requested packages no grant covers, sorted; empty when allowed.
  std::vector<std::string> deniedPackages(const Subject& subject, const ImageRequest& request);
  bool mayPull(const Subject& subject, const ImageRequest& request) {
    return deniedPackages(subject, request).empty();
  }
  /// The same decision on grants read once (grantsFor), for listing many names.
  std::vector<std::string> deniedPackages(const std::vector<GrantRecord>& grants,
                                          const ImageRequest& request) const;
  std::vector<GrantRecord> grantsFor(const Subject& subject);

  /// Throws Error(Denied) naming the packages not granted.
  void requirePull(const Subject& subject, const ImageRequest& request);

  /// Holds an `admin` grant (always source "*", glob "*"): may use the admin API.
  bool isAdmin(const Subject& subject);

  /// The teams whose grants apply to `subject` (anonymous team included when
  /// auth.anonymousPull is on).
  std::vector<std::string> effectiveTeams(const Subject& subject) const;

  /// The decision itself, on a given set of grants: the packages of `packages`
  /// (in `source`) that no `pull` grant covers. `exempt` needs no grant. When
  /// nothing is left to check, some pull grant on the source is still needed.
  static std::vector<std::string> notGranted(const std::vector<GrantRecord>& grants,
                                             const std::string& source,
                                             const std::vector<std::string>& packages,
                                             const std::vector<std::string>& exempt = {});

 private:
  AuthRepository& repo_;
  const Config& config_;
};

/// "access denied: <who> may not pull <packages> from source '<source>'".
std::string deniedMessage(const Subject& subject, const std::string& source,
                          const std::vector<std::string>& packages);

}  // namespace strata
