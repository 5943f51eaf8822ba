#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "builder/BuildClaims.h"
#include "builder/BuildLog.h"
#include "builder/BuildSlots.h"
#include "builder/ImagePipeline.h"
#include "builder/ResolvedImage.h"
#include "builder/SingleFlight.h"
#include "image/ImageName.h"
#include "image/ImageRecord.h"
#include "strata/sdk/closure.h"
#include "util/BackgroundThreads.h"
#include "util/BoundedCache.h"
#include "util/CacheBudget.h"
#include "util/Error.h"
#include "util/Ticker.h"

namespace strata {

struct Config;
class BlobStore;
class BuildRepository;
class ImageRepository;
class SourceRegistry;
class Metrics;
class Cancellation;

/// Turns image requests into built, stored and recorded images: resolves a
/// tag to a revision, answers from the cache, else builds through the
/// pipeline. Identical requests in flight share one build (SingleFlight), and
/// replicas on one database one build (BuildClaims); builds wait for a slot
/// (BuildSlots) and are logged where every replica reads them (BuildLog). Who may
/// pull what is not its business: the pull use case asks the access gate
/// between resolve() and obtain().
class BuildService {
 public:
  struct Deps {
    const Config& config;
    SourceRegistry& sources;
    BlobStore& blobs;
    ImageRepository& images;
    ImagePipeline& pipeline;
    Metrics& metrics;
    BuildRepository& builds;
    /// Set when the server stops: waits for other replicas' builds end.
    const Cancellation* stopping = nullptr;
  };

  explicit BuildService(Deps deps);
  /// Waits for builds started in the background (startBuild) to end.
  ~BuildService();

  /// The request at `tag` resolved to a revision, with its cache key. Throws
  /// strata::Error (unknown source or ref, invalid tag, source unavailable).
  ResolvedImage resolve(const ImageRequest& request, const std::string& tag);

  /// The image of `resolved`: cached when complete, else built (or waited
  /// for, when the same image is building). Throws strata::Error.
  ImageRecord obtain(const ResolvedImage& resolved);

  /// Records that `resolved.request.name:resolved.tag` names this revision and
  /// image: the tag and the image's blobs become visible under the name.
  void recordTag(const ResolvedImage& resolved);

  /// resolve, obtain and recordTag in one (`strata admin build`).
  ImageRecord imageFor(const ImageRequest& request, const std::string& tag);

  /// Builds ahead of a pull (POST /api/v1/builds): resolves the tag now, then
  /// builds in the background unless the image is cached or already
  /// building. Returns the build's status (state "cached" when there was
  /// nothing to do). Throws strata::Error for what fails before the build.
  /// Records no tag: the image appears under its name only once a pull,
  /// which the access policies judge, served it.
  BuildStatus startBuild(const ImageRequest& request, const std::string& tag);

  /// This process among the replicas (claims, leases, the build log).
  const std::string& replica() const { return claims_.owner(); }

  /// Recent builds and their logs.
  const BuildLog& log() const { return log_; }

  /// The runtime closure of a built image: from memory, else the database,
  /// else (images built before closures were recorded) from Nix again.
  std::shared_ptr<const sdk::ClosureGraph> closureOf(const ImageRecord& image);

  /// The image itself when all its blobs are stored; else builds it again
  /// from its recorded source revision (the blob store was wiped).
  ImageRecord rebuildIfIncomplete(const ImageRecord& image);

  /// The images of an index, one per platform in order; the image itself
  /// when it is no index.
  std::vector<ImageRecord> platformImagesOf(const ImageRecord& image);

 private:
  using Flights = SingleFlight<ImageRecord>;
  /// How a source's images are made, decided once from the configuration.
  struct SourceSettings {
    LayeringChoice layering;
    Codec codec = Codec::Gzip;
    ImageFormat format = ImageFormat::Layers;
    std::string imagesAttribute = "images";
  };
  const SourceSettings& settingsOf(const std::string& source) const;
  /// `strategy`, when given, replaces the source's (rebuilding an image).
  ResolvedImage atRevision(const ImageRequest& request, const std::string& revision,
                           const std::string& packageSet, const std::string* strategy = nullptr);
  std::optional<ImageRecord> cached(const std::string& key);
  /// An index: its images built (or taken from the cache) in parallel, one
  /// per platform, then the index of them.
  ImageRecord obtainIndex(const ResolvedImage& resolved);
  /// The index's request for each of its platforms, at its revision.
  std::vector<ResolvedImage> platformJobs(const ResolvedImage& resolved);
  Flights::Ticket joinFlight(const ResolvedImage& resolved);
  ImageRecord lead(const Flights::Ticket& ticket, const ResolvedImage& resolved);
  /// The image, built here when this replica claims it, else by the replica
  /// that does (waited for).
  ImageRecord buildOrWait(const std::string& id, const ResolvedImage& resolved);
  ImageRecord buildClaimed(const std::string& id, const ResolvedImage& resolved);
  void keep();
  bool complete(const ImageRecord& image) const;
  void publishQueue();

  Deps deps_;
  /// The shares of cache.memoryMiB, computed once for the caches below.
  CacheBudget budget_;
  std::map<std::string, SourceSettings> settings_;
  BuildSlots slots_;
  BuildLog log_;
  BuildClaims claims_;
  Flights flights_;
  /// Images known complete, by cache key: a warm pull needs no database query.
  BoundedCache<std::string, ImageRecord> known_;
  /// Builds that failed lately, by cache key: their error answers pulls for
  /// nix.failureCacheSeconds instead of a new build each time.
  struct Failure {
    std::chrono::steady_clock::time_point at;
    Error error;
  };
  BoundedCache<std::string, Failure> failures_;
  /// Throws the remembered error of a recent failed build of `key`.
  void rethrowRecentFailure(const std::string& key);
  void rememberFailure(const std::string& key, const std::exception_ptr& error);
  /// Closures by cache key, for policies on warm pulls.
  BoundedCache<std::string, std::shared_ptr<const sdk::ClosureGraph>> closures_;
  /// The last resolution written per (name, tag), so that repeated pulls do
  /// not write the database.
  BoundedCache<std::pair<std::string, std::string>, std::pair<std::string, std::string>,
               StringPairHash>
      recorded_;
  /// Writes the build log and renews this replica's claims: stopped after
  /// the builds in the background ended (members are destroyed in reverse).
  int ticks_ = 0;
  std::optional<Ticker> keeper_;
  /// Last member: destroyed first, so builds in the background end while
  /// everything they use still exists.
  BackgroundThreads background_;
};

}  // namespace strata
