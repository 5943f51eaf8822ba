#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "build/BuildLog.h"
#include "build/BuildSlots.h"
#include "config/Config.h"
#include "image/ImageName.h"
#include "meta/ImageRepository.h"
#include "strata/sdk/policy.h"

namespace strata {

class BlobStore;
class NixDriver;
class SourceRegistry;
class StrategyRegistry;
class PopularityData;
class Metrics;

/// Access decisions on an image (the policies of plugins): called with
/// ImageInfo::closure null before the build and set after it. Throws
/// strata::Error(Denied) to refuse.
using ImageCheck = std::function<void(const sdk::ImageInfo&)>;

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
  /// Waits for builds started in the background (startBuild) to end.
  ~BuildService();

  /// The image `request` names at `tag`; records the resolution. Throws
  /// strata::Error. `check`, when set, runs once the revision is known
  /// (before any build) and again with the closure once the image exists
  /// (built or cached); a denied image's resolution is not recorded.
  ImageRecord imageFor(const ImageRequest& request, const std::string& tag,
                       const ImageCheck& check = {});

  /// Builds ahead of a pull (POST /api/v1/builds, `strata admin build` does
  /// the same in the foreground): resolves the tag now, then builds in the
  /// background unless the image is cached or already building. Returns the
  /// build's status (state "cached" when there was nothing to do). Throws
  /// strata::Error for what fails before the build (bad name, unknown ref).
  /// Records no resolution: the image appears under its name (tags, blobs)
  /// only once a pull, which the access policies judge, served it.
  BuildStatus startBuild(const ImageRequest& request, const std::string& tag);

  /// Recent builds and their logs.
  const BuildLog& log() const { return log_; }

  /// The runtime closure of a built image: from memory, else the database,
  /// else (images built before closures were recorded) from Nix again.
  std::shared_ptr<const sdk::ClosureGraph> closureOf(const ImageRecord& image);

  /// What access policies see of an image.
  static sdk::ImageInfo imageInfo(const ImageRecord& image, const sdk::ClosureGraph* closure);

  /// The image itself when all its blobs are stored; else builds it again
  /// from its recorded source revision (the blob store was wiped).
  ImageRecord rebuildIfIncomplete(const ImageRecord& image);

  /// The cache key of an image: the same inputs give the same key everywhere.
  static std::string cacheKey(const std::string& source, const std::string& revision,
                              const std::vector<std::string>& packages, const std::string& arch,
                              const std::string& strategy, int maxLayers,
                              const std::string& compression = "gzip");

 private:
  struct Flight;
  /// What one build needs besides the request.
  struct Plan {
    std::string revisionId;
    std::string packageSet;
    std::string key;
    std::string strategy;
    int maxLayers = 0;
    std::string label;  ///< shown in the build log, e.g. "demo/hello:latest"
  };
  ImageRecord buildOrReuse(const ImageRequest& request, const Plan& plan);
  std::optional<ImageRecord> cached(const std::string& key);
  /// Joins the flight of `plan.key`, or starts one (then *leader is true and
  /// the flight has a build id in the log).
  std::shared_ptr<Flight> joinOrLead(const ImageRequest& request, const Plan& plan, bool* leader);
  ImageRecord lead(const std::shared_ptr<Flight>& flight, const ImageRequest& request,
                   const Plan& plan);
  ImageRecord follow(const std::shared_ptr<Flight>& flight);
  ImageRecord build(const ImageRequest& request, const Plan& plan, const std::string& buildId);
  void recordResolution(const std::string& name, const std::string& tag,
                        const std::string& revision, const std::string& key);
  bool complete(const ImageRecord& image) const;
  void remember(const ImageRecord& image);
  void rememberClosure(const std::string& key, std::shared_ptr<const sdk::ClosureGraph> closure);
  /// Resolves, builds and reads the closure of the packages (steps 1-2 of a
  /// build); sets the output paths of the requested packages.
  sdk::ClosureGraph buildClosure(const ImageRequest& request, const std::string& packageSet,
                                 std::chrono::steady_clock::time_point deadline,
                                 std::vector<std::string>& outPaths,
                                 const std::function<void(const std::string&)>& log = {});

  void publishQueue();

  Deps deps_;
  BuildSlots slots_;
  BuildLog log_;
  std::mutex backgroundMutex_;
  std::condition_variable backgroundDone_;
  int background_ = 0;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Flight>> inFlight_;
  /// The last resolution written per (name, tag), so that repeated pulls do
  /// not write the database.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> recorded_;
  /// Images known complete, by cache key: a warm pull needs no database query.
  std::map<std::string, ImageRecord> known_;
  /// Closures by cache key, for policies on warm pulls (bounded).
  std::map<std::string, std::shared_ptr<const sdk::ClosureGraph>> closures_;
};

}  // namespace strata
