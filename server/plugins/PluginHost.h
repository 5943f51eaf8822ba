#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/Config.h"
#include "plugins/PluginInfo.h"

namespace strata {

class StrategyRegistry;
class PolicyRegistry;

/// Loads plugins with Boost.DLL and registers what they provide.
///
/// Plugin NAME is NAME.so in plugins.directory. Before anything else the host
/// checks that the library exports both entry points and was built against
/// the same SDK ABI (version and the sizes of the types it passes); then it
/// calls the plugin's register function with plugins.config.NAME. Every object
/// the plugin hands over is wrapped in a std::shared_ptr whose deleter holds
/// the library: the library stays loaded exactly as long as any object it made
/// lives, whatever outlives the host.
class PluginHost {
 public:
  /// Loads config.load in order. Throws std::runtime_error("plugin 'NAME':
  /// REASON") on the first plugin that cannot be loaded: a bad name, a missing
  /// file, a file that is not a shared library, a missing entry point, an ABI
  /// mismatch, a failed registration, a name already registered.
  PluginHost(const PluginsConfig& config, StrategyRegistry& strategies, PolicyRegistry& policies);

  /// Loads one plugin from `file`, configured with `configJson` (a JSON object).
  /// Throws like the constructor.
  static PluginInfo load(const std::string& name, const std::string& file,
                         const std::string& configJson, StrategyRegistry& strategies,
                         PolicyRegistry& policies);

  const std::vector<PluginInfo>& plugins() const { return plugins_; }

 private:
  std::vector<PluginInfo> plugins_;
};

/// True for a plugin name: 1-64 characters of A-Z a-z 0-9 . _ -, starting with
/// a letter or digit (it becomes a file name: no '/', no "..").
bool isValidPluginName(const std::string& name);

}  // namespace strata
