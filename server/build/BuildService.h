#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "build/BuildSlots.h"
#include "config/Config.h"
#include "image/ImageName.h"
#include "meta/ImageRepository.h"

namespace strata {

class BlobStore;
class NixDriver;
class SourceRegistry;
class StrategyRegistry;
class PopularityData;
class Metrics;

/// Turns a parsed image request and tag into a built, stored and recorded
/// image: resolve the tag to a revision, look up the cache, else build with
/// Nix, plan layers, write layers, config and manifests. Identical requests in
/// flight share one build.
class BuildService {
 public:
  struct Deps {
    const Config& config;
    SourceRegistry& sources;
    const NixDriver& nix;
    BlobStore& blobs;
    ImageRepository& images;
    const StrategyRegistry& strategies;
    const PopularityData& popularity;
    Metrics& metrics;
  };

  explicit BuildService(Deps deps);

  /// The image `request` names at `tag`; records the resolution. Throws
  /// strata::Error.
  ImageRecord imageFor(const ImageRequest& request, const std::string& tag);

  /// The image itself when all its blobs are stored; else builds it again
  /// from its recorded source revision (the blob store was wiped).
  ImageRecord rebuildIfIncomplete(const ImageRecord& image);

  /// The cache key of an image: the same inputs give the same key everywhere.
  static std::string cacheKey(const std::string& source, const std::string& revision,
                              const std::vector<std::string>& packages, const std::string& arch,
                              const std::string& strategy, int maxLayers);

 private:
  struct Flight;
  ImageRecord buildOrReuse(const ImageRequest& request, const std::string& revisionId,
                           const std::string& packageSet, const std::string& key,
                           const std::string& strategy, int maxLayers);
  ImageRecord build(const ImageRequest& request, const std::string& revisionId,
                    const std::string& packageSet, const std::string& key,
                    const std::string& strategy, int maxLayers);
  bool complete(const ImageRecord& image) const;
  void remember(const ImageRecord& image);

  void publishQueue();

  Deps deps_;
  BuildSlots slots_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Flight>> inFlight_;
  /// The last resolution written per (name, tag), so that repeated pulls do
  /// not write the database.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> recorded_;
  /// Images known complete, by cache key: a warm pull needs no database query.
  std::map<std::string, ImageRecord> known_;
};

}  // namespace strata
