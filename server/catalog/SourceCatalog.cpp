#include "catalog/SourceCatalog.h"

#include "config/Config.h"
#include "sources/GitSource.h"

namespace strata {

std::vector<SourceSummary> SourceCatalog::sources() const {
  std::vector<SourceSummary> out;
  for (const auto& c : config_.sources) {
    SourceSummary s;
    s.name = c.name;
    s.prefix = c.prefix;
    s.type = c.type;
    if (c.type == "path") {
      s.path = c.path;
    } else {
      s.url = redactUrl(c.url);
      s.defaultRef = c.defaultRef;
      s.refreshSeconds = c.refreshSeconds;
    }
    s.metaPackages = c.metaPackages;
    s.alwaysInclude = c.alwaysInclude;
    LayeringChoice layering = layeringOf(config_, c);
    s.layering = layering.strategy;
    s.maxLayers = layering.maxLayers;
    s.imageFormat = c.imageFormat;
    s.platforms = c.platforms;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace strata
