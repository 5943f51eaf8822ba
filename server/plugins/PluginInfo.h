#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

/// What one loaded plugin is and what it registered (GET /api/v1/plugins).
struct PluginInfo {
  struct Provided {
    std::string kind;  ///< "layering" or "policy"
    std::string name;
  };
  std::string name;
  std::string file;  ///< absolute path of NAME.so
  std::uint32_t abiVersion = 0;
  std::vector<Provided> provides;
};

/// Everything GET /api/v1/plugins shows, fixed at start-up: the built-in
/// strategies and the loaded plugins. Plain data, so that the HTTP layer
/// needs nothing of the plugin host.
struct PluginListing {
  std::uint32_t abiVersion = 0;  ///< the SDK ABI this server speaks
  std::vector<std::string> builtInStrategies;
  std::vector<PluginInfo> plugins;
};

}  // namespace strata
