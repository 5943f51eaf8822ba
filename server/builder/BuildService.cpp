#include "builder/BuildService.h"

#include <chrono>
#include <future>
#include <thread>

#include "config/Config.h"
#include "meta/ImageRepository.h"
#include "sources/PackageSource.h"
#include "storage/BlobStore.h"
#include "util/Cancellation.h"
#include "util/Error.h"
#include "util/Metrics.h"

namespace strata {
namespace {

/// The result label of strata_builds_total for a failed build.
const char* failureKind(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    switch (e.kind()) {
      case ErrorKind::BuildTimeout:
        return "timeout";
      case ErrorKind::Busy:
        return "rejected";
      case ErrorKind::UnknownManifest:
        return "unknown_package";
      default:
        return "failed";
    }
  } catch (...) {
    return "failed";
  }
}

/// What the build log says of a failure: message and detail.
std::string failureText(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return e.detail().empty() ? e.what() : std::string(e.what()) + "\n" + e.detail();
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

/// Cache costs (BoundedCache with a MemoryBudget).
std::size_t failureBytes(const Error& e) {
  return std::char_traits<char>::length(e.what()) + 1 + heapBytes(e.detail());
}

std::size_t closureBytes(const sdk::ClosureGraph& g) {
  std::size_t n = sizeof(g) + 2 * sizeof(void*) + g.paths.capacity() * sizeof(sdk::StorePath) +
                  heapBytes(g.roots);
  for (const auto& p : g.paths)
    n += heapBytes(p.path) + heapBytes(p.references) + heapBytes(p.narHash);
  return n;
}

}  // namespace

BuildService::BuildService(Deps deps)
    : deps_(deps),
      budget_(CacheBudget::ofMiB(deps.config.cache.memoryMiB)),
      slots_(deps.config.nix.maxConcurrentBuilds, deps.config.nix.maxQueuedBuilds),
      log_(budget_.buildLogs),
      claims_(deps.builds, BuildClaims::newOwner(), deps.config.nix.buildLeaseSeconds),
      known_(MemoryBudget{budget_.images}, [](const ImageRecord& r) { return heapBytes(r); }),
      failures_(MemoryBudget{budget_.failures},
                [](const Failure& f) { return failureBytes(f.error); }),
      closures_(MemoryBudget{budget_.closures},
                [](const std::shared_ptr<const sdk::ClosureGraph>& g) {
                  return g ? closureBytes(*g) : 0;
                }),
      recorded_(MemoryBudget{budget_.resolutions},
                [](const std::pair<std::string, std::string>& v) { return heapBytes(v); }) {
  for (const auto& sc : deps.config.sources)
    settings_[sc.name] = SourceSettings{layeringOf(deps.config, sc), parseCodec(sc.compression),
                                        parseImageFormat(sc.imageFormat), sc.imagesAttribute};
  log_.share(&deps.builds, claims_.owner());
  keeper_.emplace(std::chrono::seconds(1), [this] { keep(); });
}

void BuildService::keep() {
  log_.flush();
  // Renewed three times per lease: one late renewal does not lose a claim.
  int every = std::max(1, claims_.leaseSeconds() / 3);
  if (++ticks_ % every == 0) claims_.renew();
}

BuildService::~BuildService() {
  background_.joinAll();
}

const BuildService::SourceSettings& BuildService::settingsOf(const std::string& source) const {
  auto it = settings_.find(source);
  if (it == settings_.end()) throw Error(ErrorKind::UnknownName, "no source '" + source + "'");
  return it->second;
}

void BuildService::publishQueue() {
  deps_.metrics.set("strata_builds_running", slots_.running());
  deps_.metrics.set("strata_build_queue_length", slots_.queued());
}

ResolvedImage BuildService::atRevision(const ImageRequest& request, const std::string& revision,
                                       const std::string& packageSet, const std::string* strategy) {
  const SourceSettings& s = settingsOf(request.source);
  ResolvedImage r;
  r.request = request;
  r.revision = revision;
  r.packageSet = packageSet;
  r.layering = s.layering;
  if (strategy != nullptr) r.layering.strategy = *strategy;
  r.codec = s.codec;
  r.format = s.format;
  r.key =
      imageCacheKey(request.source, revision, request.packages, request.arch, r.layering.strategy,
                    r.layering.maxLayers, s.codec, s.format, s.imagesAttribute);
  if (request.isIndex()) {
    std::vector<std::string> keys;
    for (const auto& arch : request.platforms)
      keys.push_back(imageCacheKey(request.source, revision, request.packages, arch,
                                   r.layering.strategy, r.layering.maxLayers, s.codec, s.format,
                                   s.imagesAttribute));
    r.key = indexCacheKey(keys);
  }
  return r;
}

ResolvedImage BuildService::resolve(const ImageRequest& request, const std::string& tag) {
  PackageSource& source = deps_.sources.get(request.source);
  Revision revision = [&] {
    PhaseTimer timer(&deps_.metrics, "resolve");
    return source.resolve(tag);
  }();
  ResolvedImage r = atRevision(request, revision.id, revision.packageSet);
  r.tag = tag;
  r.label = request.name + ":" + tag;
  return r;
}

ImageRecord BuildService::imageFor(const ImageRequest& request, const std::string& tag) {
  ResolvedImage resolved = resolve(request, tag);
  ImageRecord image = obtain(resolved);
  recordTag(resolved);
  return image;
}

void BuildService::recordTag(const ResolvedImage& resolved) {
  auto name = std::make_pair(resolved.request.name, resolved.tag);
  auto value = std::make_pair(resolved.revision, resolved.key);
  if (recorded_.get(name) == value) return;
  deps_.images.recordResolution(name.first, name.second, value.first, value.second);
  recorded_.put(name, value);
}

std::vector<ResolvedImage> BuildService::platformJobs(const ResolvedImage& resolved) {
  std::vector<ResolvedImage> jobs;
  for (const auto& arch : resolved.request.platforms) {
    ResolvedImage job = atRevision(resolved.request.forPlatform(arch), resolved.revision,
                                   resolved.packageSet, &resolved.layering.strategy);
    job.tag = resolved.tag;
    job.label = resolved.label + " (" + arch + ")";
    jobs.push_back(std::move(job));
  }
  return jobs;
}

ImageRecord BuildService::obtainIndex(const ResolvedImage& resolved) {
  if (auto index = cached(resolved.key)) {
    deps_.metrics.add("strata_image_cache_total{result=\"hit\"}");
    return *index;
  }
  std::vector<ResolvedImage> jobs = platformJobs(resolved);
  // Every platform is a build of its own (its own flight, claim and log),
  // all at once; the first failure is the answer, after all have ended.
  std::vector<std::future<ImageRecord>> others;
  std::vector<ImageRecord> images;
  std::exception_ptr error;
  try {
    for (std::size_t i = 1; i < jobs.size(); ++i)
      others.push_back(
          std::async(std::launch::async, [this, &jobs, i] { return obtain(jobs[i]); }));
    images.push_back(obtain(jobs.front()));
  } catch (...) {
    error = std::current_exception();
  }
  for (auto& other : others) {
    try {
      images.push_back(other.get());
    } catch (...) {
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  ImageRecord index = deps_.pipeline.storeIndex(resolved, images);
  known_.put(index.cacheKey, index);
  return index;
}

std::vector<ImageRecord> BuildService::platformImagesOf(const ImageRecord& image) {
  if (!image.isIndex()) return {image};
  std::vector<ImageRecord> images;
  for (const auto& key : image.platformImages) {
    auto found = known_.get(key);
    if (!found) found = deps_.images.findByKey(key);
    if (!found)
      throw Error(ErrorKind::Internal, "an image of index " + image.cacheKey + " is gone");
    images.push_back(std::move(*found));
  }
  return images;
}

ImageRecord BuildService::obtain(const ResolvedImage& resolved) {
  if (resolved.request.isIndex()) return obtainIndex(resolved);
  if (auto image = cached(resolved.key)) {
    deps_.metrics.add("strata_image_cache_total{result=\"hit\"}");
    return *image;
  }
  rethrowRecentFailure(resolved.key);
  auto ticket = joinFlight(resolved);
  if (ticket.leader) return lead(ticket, resolved);
  deps_.metrics.add("strata_image_cache_total{result=\"shared\"}");
  return ticket.flight->wait();
}

BuildStatus BuildService::startBuild(const ImageRequest& request, const std::string& tag) {
  ResolvedImage resolved = resolve(request, tag);
  // An index: each platform builds ahead; the index itself is written by the
  // pull (it is cheap once its images exist). The first platform's status.
  if (request.isIndex()) {
    std::optional<BuildStatus> first;
    for (const auto& arch : request.platforms) {
      BuildStatus status = startBuild(request.forPlatform(arch), tag);
      if (!first) first = status;
    }
    return *first;
  }
  if (auto image = cached(resolved.key)) {
    std::string id = log_.open(resolved.label, request.source, resolved.revision, "cached");
    log_.succeed(id, image->ociDigest, image->dockerDigest);
    log_.setState(id, "cached");
    return *log_.get(id);
  }
  auto ticket = joinFlight(resolved);
  if (ticket.leader) {
    auto run = [this, ticket, resolved] {
      try {
        lead(ticket, resolved);
      } catch (...) {
        // Already in the build log and the metrics; nobody waits for it.
      }
    };
    try {
      background_.start(run);
    } catch (...) {
      run();  // no thread to spare: build in the foreground rather than never
    }
  }
  if (auto status = log_.get(ticket.flight->label())) return *status;
  throw Error(ErrorKind::Internal, "the build vanished from the log");
}

ImageRecord BuildService::rebuildIfIncomplete(const ImageRecord& image) {
  // Known complete, as for pulls by tag (cached()): no stat per pull.
  if (auto known = known_.get(image.cacheKey)) return *known;
  if (complete(image)) {
    known_.put(image.cacheKey, image);
    return image;
  }
  PackageSource& source = deps_.sources.get(image.source);
  ImageRequest request{"", image.source, image.packages, image.arch, image.platforms()};
  request.arch = request.platforms.front();
  // The strategy it was built with: an image pinned by digest keeps its layers.
  ResolvedImage resolved = atRevision(request, image.revision, "", &image.strategy);
  if (resolved.key != image.cacheKey)
    throw Error(
        ErrorKind::UnknownManifest,
        "the blobs of this image are gone and the configuration changed since it was built");
  resolved.packageSet = source.checkout(image.revision).packageSet;
  resolved.label = image.source + "@" + image.revision;
  return obtain(resolved);
}

std::shared_ptr<const sdk::ClosureGraph> BuildService::closureOf(const ImageRecord& image) {
  if (auto known = closures_.get(image.cacheKey)) return *known;
  std::shared_ptr<const sdk::ClosureGraph> closure;
  if (auto stored = deps_.images.findClosure(image.cacheKey)) {
    closure = std::make_shared<const sdk::ClosureGraph>(std::move(*stored));
  } else {
    // Built before closures were recorded (migration 0003): ask Nix again. The
    // store paths exist, so this evaluates and reads, it does not build.
    PackageSource& source = deps_.sources.get(image.source);
    ImageRequest request{"", image.source, image.packages, image.arch, {image.arch}};
    ResolvedImage job =
        atRevision(request, image.revision, source.checkout(image.revision).packageSet);
    BuildSlots::Lease lease(slots_);
    auto graph = std::make_shared<sdk::ClosureGraph>(
        deps_.pipeline.closure(job, deps_.pipeline.deadlineFromNow()).graph);
    deps_.images.saveClosure(image.cacheKey, *graph);
    closure = std::move(graph);
  }
  closures_.put(image.cacheKey, closure);
  return closure;
}

bool BuildService::complete(const ImageRecord& image) const {
  // Built before SBOMs: built again, to the same digests, with its SBOM.
  if (!image.isIndex() && image.sbomDigest.empty()) return false;
  for (const auto& d : image.ownBlobs()) {
    auto digest = Digest::parse(d);
    if (!digest || !deps_.blobs.stat(*digest)) return false;
  }
  for (const auto& key : image.platformImages) {
    auto member = deps_.images.findByKey(key);
    if (!member || !complete(*member)) return false;
  }
  return true;
}

std::optional<ImageRecord> BuildService::cached(const std::string& key) {
  if (auto known = known_.get(key)) return known;
  if (auto found = deps_.images.findByKey(key); found && complete(*found)) {
    known_.put(key, *found);
    return found;
  }
  return std::nullopt;
}

BuildService::Flights::Ticket BuildService::joinFlight(const ResolvedImage& resolved) {
  return flights_.join(resolved.key, [&] {
    return log_.open(resolved.label, resolved.request.source, resolved.revision, "queued");
  });
}

void BuildService::rememberFailure(const std::string& key, const std::exception_ptr& error) {
  if (deps_.config.nix.failureCacheSeconds <= 0) return;
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    // What another try would answer the same: the package set's own failures.
    // Not a full queue, an unreachable source or a broken store.
    if (e.kind() == ErrorKind::BuildFailed || e.kind() == ErrorKind::BuildTimeout ||
        e.kind() == ErrorKind::UnknownManifest)
      failures_.put(key, Failure{std::chrono::steady_clock::now(), e});
  } catch (...) {
  }
}

void BuildService::rethrowRecentFailure(const std::string& key) {
  auto failure = failures_.get(key);
  if (!failure) return;
  auto age = std::chrono::steady_clock::now() - failure->at;
  auto limit = std::chrono::seconds(deps_.config.nix.failureCacheSeconds);
  if (age >= limit) return;
  deps_.metrics.add("strata_build_failures_reused_total");
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
  const Error& e = failure->error;
  throw Error(e.kind(), e.what(),
              e.detail() + (e.detail().empty() ? "" : "\n") + "(this build failed " +
                  std::to_string(seconds) + " s ago; it is tried again " +
                  std::to_string(deps_.config.nix.failureCacheSeconds) +
                  " s after it failed: nix.failureCacheSeconds)");
}

ImageRecord BuildService::lead(const Flights::Ticket& ticket, const ResolvedImage& resolved) {
  const std::string& id = ticket.flight->label();
  std::optional<ImageRecord> result;
  std::exception_ptr error;
  try {
    result = buildOrWait(id, resolved);
    deps_.metrics.add("strata_builds_total{result=\"ok\"}");
    log_.succeed(id, result->ociDigest, result->dockerDigest);
  } catch (...) {
    error = std::current_exception();
    deps_.metrics.add(std::string("strata_builds_total{result=\"") + failureKind(error) + "\"}");
    log_.fail(id, failureText(error));
    rememberFailure(resolved.key, error);
  }
  publishQueue();
  if (result) known_.put(resolved.key, *result);
  flights_.finish(resolved.key, ticket.flight, result, error);
  if (error) std::rethrow_exception(error);
  return *result;
}

ImageRecord BuildService::buildOrWait(const std::string& id, const ResolvedImage& resolved) {
  using Clock = std::chrono::steady_clock;
  // Long enough for a whole build on another replica, and for its lease to
  // run out should that replica die.
  const auto deadline = Clock::now() + std::chrono::seconds(deps_.config.nix.timeoutSeconds +
                                                            2 * claims_.leaseSeconds());
  std::string waitedFor;  ///< the build of another replica this one waits for
  for (;;) {
    // Another flight or replica may have finished it since the cache check.
    if (auto found = deps_.images.findByKey(resolved.key); found && complete(*found)) return *found;
    auto claim = claims_.find(resolved.key);
    if (claim && claim->state == "failed" && claim->buildId == waitedFor)
      std::rethrow_exception(BuildClaims::errorOf(*claim));
    if (claims_.claim(resolved.key, id)) return buildClaimed(id, resolved);
    claim = claims_.find(resolved.key);
    if (claim && claim->buildId != waitedFor) {
      waitedFor = claim->buildId;
      deps_.metrics.add("strata_build_waits_total");
      log_.append(id, "waiting for build " + claim->buildId + " on replica " + claim->owner);
    }
    if (deps_.stopping != nullptr && deps_.stopping->cancelled())
      throw Error(ErrorKind::ShuttingDown, "the server is shutting down",
                  "build " + waitedFor + " goes on on replica " + (claim ? claim->owner : ""));
    if (Clock::now() > deadline)
      throw Error(ErrorKind::BuildTimeout,
                  "the build of this image on another replica took too long", "build " + waitedFor);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

ImageRecord BuildService::buildClaimed(const std::string& id, const ResolvedImage& resolved) {
  try {
    // The replica that held the claim before may have finished it.
    if (auto found = deps_.images.findByKey(resolved.key); found && complete(*found)) {
      claims_.release(resolved.key);
      return *found;
    }
    deps_.metrics.add("strata_image_cache_total{result=\"miss\"}");
    publishQueue();
    BuildSlots::Lease lease(slots_);
    publishQueue();
    log_.setState(id, "running");
    BuiltImage built = deps_.pipeline.build(
        resolved, [this, &id](const std::string& line) { log_.append(id, line); });
    closures_.put(resolved.key, built.closure);
    claims_.release(resolved.key);
    return built.image;
  } catch (const Error& e) {
    // A full queue or a stop is this replica's problem: another may build it.
    if (e.kind() == ErrorKind::Busy || e.kind() == ErrorKind::ShuttingDown)
      claims_.release(resolved.key);
    else
      claims_.fail(resolved.key, std::current_exception());
    throw;
  } catch (...) {
    claims_.fail(resolved.key, std::current_exception());
    throw;
  }
}

}  // namespace strata
