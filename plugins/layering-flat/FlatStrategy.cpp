// Plugin layering-flat: the strategy `flat` puts the whole closure into one
// layer. The smallest possible image manifest; every change re-downloads
// everything, so it suits small or short-lived images.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "strata/sdk/json.h"
#include "strata/sdk/plugin.h"

namespace {

using namespace strata::sdk;

class FlatStrategy final : public LayeringStrategy {
 public:
  LayerPlan plan(const ClosureGraph& graph, std::uint32_t budget) noexcept override {
    return guardPlan([&] {
      std::vector<Layer> layers;
      if (graph.paths.empty()) return layers;
      if (budget == 0) throw std::runtime_error("layer budget is 0");
      Layer all;
      all.reserve(graph.paths.size());
      for (const auto& p : graph.paths) all.push_back(p.path);
      std::sort(all.begin(), all.end());
      layers.push_back(std::move(all));
      return layers;
    });
  }
};

void registerPlugin(Registrar& registrar, const std::string& configJson) {
  // No settings: refuse any, so that a typo is not silently ignored.
  json::parse(configJson).requireOnly({}, "plugins.config.layering-flat");
  registrar.addLayeringStrategy("flat", new FlatStrategy());
}

}  // namespace

STRATA_PLUGIN(registerPlugin)
