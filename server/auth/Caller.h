#pragma once

#include <optional>
#include <string>

#include "auth/Subject.h"
#include "strata/sdk/policy.h"

namespace strata {

/// Who makes a request: the authenticated subject when auth is on (for routes
/// that need one), and the client's address always.
struct Caller {
  std::optional<Subject> subject;  ///< nullopt with auth off and on open routes
  std::string clientAddress;       ///< IP address, no port

  /// What access policies see: the subject, or an anonymous one at the
  /// client's address when nobody authenticated.
  sdk::Subject toSdk() const {
    return subject ? subject->toSdk() : sdk::Subject{"", {}, clientAddress};
  }
};

}  // namespace strata
