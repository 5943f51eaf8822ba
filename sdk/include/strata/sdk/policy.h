#pragma once

#include <string>
#include <vector>

#include "strata/sdk/closure.h"

namespace strata::sdk {

/// Who asks.
struct Subject {
  std::string user;                ///< empty for anonymous
  std::vector<std::string> teams;  ///< sorted
  std::string clientAddress;       ///< IP address of the client, no port
};

/// What is asked for.
struct ImageInfo {
  std::string source;
  std::vector<std::string> packages;  ///< attribute paths after meta-package expansion, sorted
  std::string revision;
  std::string arch;                       ///< "amd64" or "arm64"
  const ClosureGraph* closure = nullptr;  ///< null before the build, set after it
};

struct Decision {
  bool allow = true;
  std::string reason;  ///< shown to the client on deny
};

/// Decides whether a subject may perform an action ("pull") on an image. Called
/// once before the build (closure == nullptr) and once after it.
class AccessPolicy {
 public:
  virtual ~AccessPolicy() = default;
  /// Must not throw: exceptions do not cross the plugin boundary.
  virtual Decision check(const Subject& subject, const std::string& action,
                         const ImageInfo& image) noexcept = 0;
};

}  // namespace strata::sdk
