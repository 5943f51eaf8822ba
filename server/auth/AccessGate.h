#pragma once

#include <functional>
#include <memory>
#include <string>

#include "auth/AuthenticationRequired.h"
#include "auth/Caller.h"
#include "image/ImageName.h"
#include "strata/sdk/policy.h"

namespace strata {

/// What a route needs from its caller before its handler runs (auth on only).
enum class Requirement {
  Open,      ///< nothing (health, metrics, /token itself)
  Identify,  ///< nothing, but credentials given are checked (401 when wrong) and known
  Registry,  ///< any authenticated caller (GET /v2/, unsupported /v2/ methods)
  Pull,      ///< may pull the route's name: credentials here, grants in authorizePull
  Catalog,   ///< any caller allowed to list; the listing is filtered
  Admin,     ///< an `admin` grant (the /api/v1/ admin API and builds)
};

/// The one place where access to images is decided: who is asking, the live
/// grants of their teams, the scope of their token, the access policies of
/// plugins, and the audit log of pulls and denials. The HTTP layer calls
/// admit() for every route; the pull use case calls the rest.
class AccessGate {
 public:
  virtual ~AccessGate() = default;

  /// Authenticates a request for a route and checks what the route needs.
  /// `name` is the repository name of a Pull route (the challenge's scope).
  /// Throws AuthenticationRequired, Error(Denied) or Error(Busy).
  virtual Caller admit(Requirement requirement, const std::string& name,
                       const std::string& authorization, const std::string& clientAddress) = 0;

  /// May the caller pull every package of `image`? Live grants and the
  /// token's scope; nothing to check with auth off. Throws
  /// AuthenticationRequired (anonymous callers, a token for another scope) or
  /// Error(Denied) naming the packages not granted; denials are audited.
  virtual void authorizePull(const Caller& caller, const ImageRequest& image) = 0;

  /// May the caller pull anything at all from `source` (a pull grant of its
  /// teams names the source or "*")? For listings of a source's refs and
  /// packages, which then show only what pullFilter() allows. Nothing to
  /// check with auth off. Throws as authorizePull does; denials are audited.
  virtual void authorizeSource(const Caller& caller, const std::string& source) = 0;

  /// The access policies of plugins on `image` as far as it is known: no
  /// revision before the tag is resolved, no closure before the build. They
  /// run with auth on or off. Throws Error(Denied) with the policy's reason.
  /// `closure` owns image.closure when there is one.
  virtual void checkPolicies(const Caller& caller, const std::string& name,
                             const sdk::ImageInfo& image,
                             std::shared_ptr<const sdk::ClosureGraph> closure = nullptr) = 0;

  /// True when access policies are loaded: only then is an image's closure
  /// worth loading for checkPolicies.
  virtual bool hasPolicies() const = 0;

  /// True when auth.enabled: callers are told apart.
  virtual bool authEnabled() const = 0;

  /// May the caller use the admin API (and the builds API)? True with auth off.
  virtual bool mayAdminister(const Caller& caller) = 0;

  /// Would authorizeSource() let the caller browse the source? Answers
  /// without auditing: for listings that show what a caller may use.
  virtual bool mayBrowseSource(const Caller& caller, const std::string& source) = 0;

  /// False when no pull is ever checked (auth off, no policies): then a name
  /// need not even be parsed to be allowed.
  virtual bool judgesPulls() const = 0;

  /// Writes a served pull to the audit log (auth on). Never throws.
  virtual void recordPull(const Caller& caller, const std::string& name,
                          const std::string& reference, const std::string& revision,
                          const std::string& digest) = 0;

  /// Which images the caller may pull, with its grants read once: for
  /// listings of many names. Empty when every image may be listed (auth off).
  virtual std::function<bool(const ImageRequest&)> pullFilter(const Caller& caller) = 0;
};

}  // namespace strata
