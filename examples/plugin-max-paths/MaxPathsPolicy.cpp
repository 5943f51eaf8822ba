// Example plugin policy-max-paths: the access policy `max-paths` denies images
// whose runtime closure holds more than `maxPaths` store paths (configured as
// plugins.config.policy-max-paths = {"maxPaths": 50}). It needs the closure,
// so it decides after the build; before it (closure == nullptr) it allows.
#include <string>

#include "strata/sdk/json.h"
#include "strata/sdk/plugin.h"

namespace {

using namespace strata::sdk;

class MaxPathsPolicy final : public AccessPolicy {
 public:
  explicit MaxPathsPolicy(std::size_t maxPaths) : maxPaths_(maxPaths) {}

  // Called from many request threads at once: the object is read-only.
  Decision check(const Subject&, const std::string&, const ImageInfo& image) noexcept override {
    return guardDecision([&]() -> Decision {
      if (image.closure == nullptr || image.closure->paths.size() <= maxPaths_)
        return Decision{true, ""};
      return Decision{false, "the image holds " + std::to_string(image.closure->paths.size()) +
                                 " store paths, more than " + std::to_string(maxPaths_)};
    });
  }

 private:
  const std::size_t maxPaths_;
};

// May throw: the message becomes the start-up error "plugin 'NAME': ...".
void registerPlugin(Registrar& registrar, const std::string& configJson) {
  json::Value config = json::parse(configJson);
  config.requireOnly({"maxPaths"}, "plugins.config.policy-max-paths");
  std::int64_t maxPaths = 100;
  if (const json::Value* v = config.find("maxPaths")) maxPaths = v->asInteger("maxPaths");
  if (maxPaths < 1) throw json::Error("maxPaths must be at least 1");
  registrar.addAccessPolicy("max-paths", new MaxPathsPolicy(static_cast<std::size_t>(maxPaths)));
}

}  // namespace

STRATA_PLUGIN(registerPlugin)
