#pragma once

// Loads the shipped plugins (build/plugins) and the test plugins
// (build/tests/plugins) through the real host, as the server does.

#include <memory>
#include <string>

#include "layers/StrategyRegistry.h"
#include "plugins/PluginHost.h"
#include "plugins/PolicyRegistry.h"

namespace strata::test {

inline std::string shippedPlugin(const std::string& name) {
  return std::string(STRATA_PLUGIN_DIR) + "/" + name + ".so";
}
inline std::string testPlugin(const std::string& name) {
  return std::string(STRATA_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

/// One plugin loaded into registries of its own.
struct Loaded {
  StrategyRegistry strategies;
  PolicyRegistry policies;
  PluginInfo info;

  std::shared_ptr<sdk::LayeringStrategy> strategy(const std::string& name) const {
    return strategies.get(name).strategy;
  }
  std::shared_ptr<sdk::AccessPolicy> policy(const std::string& name) const {
    for (const auto& e : policies.entries())
      if (e.name == name) return e.policy;
    throw std::runtime_error("no policy " + name);
  }
};

inline std::unique_ptr<Loaded> load(const std::string& name, const std::string& file,
                                    const std::string& config = "{}") {
  auto l = std::make_unique<Loaded>();
  l->info = PluginHost::load(name, file, config, l->strategies, l->policies);
  return l;
}

/// The message of the std::runtime_error loading throws ("" when it loads).
inline std::string loadError(const std::string& name, const std::string& file,
                             const std::string& config = "{}") {
  try {
    load(name, file, config);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace strata::test
