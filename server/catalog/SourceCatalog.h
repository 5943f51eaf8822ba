#pragma once

#include <map>
#include <string>
#include <vector>

namespace strata {

struct Config;

/// A package source as GET /api/v1/sources shows it: public settings only,
/// never credentials.
struct SourceSummary {
  std::string name;
  std::string prefix;
  std::string type;
  std::string path;  ///< path sources
  std::string url;   ///< git sources, credentials redacted
  std::string defaultRef;
  int refreshSeconds = 0;
  std::map<std::string, std::vector<std::string>> metaPackages;
  std::vector<std::string> alwaysInclude;
  std::string layering;                ///< the effective strategy
  int maxLayers = 0;                   ///< the effective budget
  std::string imageFormat;             ///< "layers" or "nix-snapshotter"
  std::vector<std::string> platforms;  ///< Nix systems; more than one: tags are indexes
};

/// What can be pulled from this registry, for people and tools that look
/// before they pull.
class SourceCatalog {
 public:
  explicit SourceCatalog(const Config& config) : config_(config) {}
  /// The configured sources, in configuration order.
  std::vector<SourceSummary> sources() const;

 private:
  const Config& config_;
};

}  // namespace strata
