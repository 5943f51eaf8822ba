#include "build/BuildService.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <system_error>
#include <thread>

#include "image/Manifest.h"
#include "layers/LayerArchive.h"
#include "layers/LayerBuilder.h"
#include "layers/StrategyRegistry.h"
#include "nix/NixDriver.h"
#include "sources/PackageSource.h"
#include "storage/BlobStore.h"
#include "util/Error.h"
#include "util/Metrics.h"
#include "util/Sha256.h"
#include "util/TaskPool.h"

namespace strata {

namespace {

/// Runs fn(i) for i in [0, n) on up to `threads` threads; rethrows the first error.
template <typename Fn>
void parallelFor(std::size_t n, unsigned threads, Fn fn) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex errorMutex;
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!error) error = std::current_exception();
        next = n;
      }
    }
  };
  std::vector<std::thread> pool;
  unsigned count = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(n)));
  // A thread that cannot start leaves its share to the others (and to us).
  for (unsigned t = 1; t < count; ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {
      break;
    }
  }
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}
}  // namespace

struct BuildService::Flight {
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  std::optional<ImageRecord> result;
  std::exception_ptr error;
  std::string buildId;
};

BuildService::BuildService(Deps deps)
    : deps_(deps), slots_(deps.config.nix.maxConcurrentBuilds, deps.config.nix.maxQueuedBuilds) {}

BuildService::~BuildService() {
  std::unique_lock<std::mutex> lock(backgroundMutex_);
  backgroundDone_.wait(lock, [this] { return background_ == 0; });
}

void BuildService::publishQueue() {
  deps_.metrics.set("strata_builds_running", slots_.running());
  deps_.metrics.set("strata_build_queue_length", slots_.queued());
}

std::string BuildService::cacheKey(const std::string& source, const std::string& revision,
                                   const std::vector<std::string>& packages,
                                   const std::string& arch, const std::string& strategy,
                                   int maxLayers, const std::string& compression) {
  Sha256 h;
  h.update("strata-image-v1\n");
  for (const auto& field : {source, revision, arch, strategy, std::to_string(maxLayers)}) {
    h.update(field);
    h.update("\n", 1);
  }
  // gzip images keep the keys they had before compression was a choice.
  if (compression != "gzip") h.update("compression=" + compression + "\n");
  for (const auto& p : packages) {
    h.update(p);
    h.update("\n", 1);
  }
  return h.hexDigest();
}

ImageRecord BuildService::imageFor(const ImageRequest& request, const std::string& tag,
                                   const ImageCheck& check) {
  PackageSource& source = deps_.sources.get(request.source);
  const SourceConfig& sc = source.config();
  std::string strategy = sc.layering.value_or(deps_.config.layering.strategy);
  int maxLayers = sc.maxLayers.value_or(deps_.config.layering.maxLayers);

  Revision revision = [&] {
    PhaseTimer timer(&deps_.metrics, "resolve");
    return source.resolve(tag);
  }();
  // Before the build: a policy that can decide from the request alone saves it.
  if (check) check(sdk::ImageInfo{sc.name, request.packages, revision.id, request.arch, nullptr});
  std::string key = cacheKey(sc.name, revision.id, request.packages, request.arch, strategy,
                             maxLayers, sc.compression);
  Plan plan{revision.id, revision.packageSet, key, strategy, maxLayers, request.name + ":" + tag};
  ImageRecord image = buildOrReuse(request, plan);
  // After it, with the closure: also for cached images, which never build.
  if (check) {
    auto closure = closureOf(image);
    check(imageInfo(image, closure.get()));
  }
  recordResolution(request.name, tag, revision.id, key);
  return image;
}

void BuildService::recordResolution(const std::string& name, const std::string& tag,
                                    const std::string& revision, const std::string& key) {
  auto recordKey = std::make_pair(name, tag);
  auto recordValue = std::make_pair(revision, key);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = recorded_.find(recordKey);
    if (it != recorded_.end() && it->second == recordValue) return;
  }
  deps_.images.recordResolution(name, tag, revision, key);
  std::lock_guard<std::mutex> lock(mutex_);
  if (recorded_.size() >= 100000) recorded_.clear();  // bounded; only saves writes
  recorded_[recordKey] = recordValue;
}

BuildStatus BuildService::startBuild(const ImageRequest& request, const std::string& tag) {
  PackageSource& source = deps_.sources.get(request.source);
  const SourceConfig& sc = source.config();
  std::string strategy = sc.layering.value_or(deps_.config.layering.strategy);
  int maxLayers = sc.maxLayers.value_or(deps_.config.layering.maxLayers);
  Revision revision = [&] {
    PhaseTimer timer(&deps_.metrics, "resolve");
    return source.resolve(tag);
  }();
  std::string key = cacheKey(sc.name, revision.id, request.packages, request.arch, strategy,
                             maxLayers, sc.compression);
  Plan plan{revision.id, revision.packageSet, key, strategy, maxLayers, request.name + ":" + tag};
  // No resolution is recorded here: a tag is recorded by the pull, after the
  // access policies allowed it (a denied image must not be served under its
  // name, its blobs included).
  if (auto image = cached(key)) {
    std::string id = log_.open(plan.label, sc.name, revision.id, "cached");
    log_.succeed(id, image->ociDigest, image->dockerDigest);
    log_.setState(id, "cached");
    return *log_.get(id);
  }
  bool leader = false;
  auto flight = joinOrLead(request, plan, &leader);
  if (leader) {
    {
      std::lock_guard<std::mutex> lock(backgroundMutex_);
      ++background_;
    }
    auto run = [this, flight, request, plan] {
      try {
        lead(flight, request, plan);
      } catch (...) {
        // Already in the build log and the metrics; nobody waits for it.
      }
      std::lock_guard<std::mutex> lock(backgroundMutex_);
      --background_;
      backgroundDone_.notify_all();
    };
    try {
      std::thread(run).detach();
    } catch (const std::system_error&) {
      run();  // no thread to spare: build in the foreground rather than never
    }
  }
  if (auto status = log_.get(flight->buildId)) return *status;
  throw Error(ErrorKind::Internal, "the build vanished from the log");
}

ImageRecord BuildService::rebuildIfIncomplete(const ImageRecord& image) {
  if (complete(image)) return image;
  PackageSource& source = deps_.sources.get(image.source);
  const SourceConfig& sc = source.config();
  int maxLayers = sc.maxLayers.value_or(deps_.config.layering.maxLayers);
  std::string key = cacheKey(sc.name, image.revision, image.packages, image.arch, image.strategy,
                             maxLayers, sc.compression);
  if (key != image.cacheKey)
    throw Error(
        ErrorKind::UnknownManifest,
        "the blobs of this image are gone and the configuration changed since it was built");
  Revision revision = source.checkout(image.revision);
  ImageRequest request{"", image.source, image.packages, image.arch};
  Plan plan{revision.id,    revision.packageSet, key,
            image.strategy, maxLayers,           image.source + "@" + image.revision};
  return buildOrReuse(request, plan);
}

sdk::ImageInfo BuildService::imageInfo(const ImageRecord& image, const sdk::ClosureGraph* closure) {
  return sdk::ImageInfo{image.source, image.packages, image.revision, image.arch, closure};
}

void BuildService::rememberClosure(const std::string& key,
                                   std::shared_ptr<const sdk::ClosureGraph> closure) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closures_.size() >= 256) closures_.clear();  // bounded; the database still has them
  closures_[key] = std::move(closure);
}

std::shared_ptr<const sdk::ClosureGraph> BuildService::closureOf(const ImageRecord& image) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = closures_.find(image.cacheKey); it != closures_.end()) return it->second;
  }
  std::shared_ptr<const sdk::ClosureGraph> closure;
  if (auto stored = deps_.images.findClosure(image.cacheKey)) {
    closure = std::make_shared<const sdk::ClosureGraph>(std::move(*stored));
  } else {
    // Built before closures were recorded (migration 0003): ask Nix again. The
    // store paths exist, so this evaluates and reads, it does not build.
    PackageSource& source = deps_.sources.get(image.source);
    Revision revision = source.checkout(image.revision);
    ImageRequest request{"", image.source, image.packages, image.arch};
    BuildSlots::Lease lease(slots_);
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(deps_.config.nix.timeoutSeconds);
    std::vector<std::string> outPaths;
    auto graph = std::make_shared<sdk::ClosureGraph>(
        buildClosure(request, revision.packageSet, deadline, outPaths));
    deps_.images.saveClosure(image.cacheKey, *graph);
    closure = std::move(graph);
  }
  rememberClosure(image.cacheKey, closure);
  return closure;
}

void BuildService::remember(const ImageRecord& image) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (known_.size() >= 10000) known_.clear();  // bounded; the database still has them
  known_[image.cacheKey] = image;
}

bool BuildService::complete(const ImageRecord& image) const {
  for (const auto& d : {image.configDigest, image.ociDigest, image.dockerDigest}) {
    auto digest = Digest::parse(d);
    if (!digest || !deps_.blobs.stat(*digest)) return false;
  }
  return true;
}

std::optional<ImageRecord> BuildService::cached(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = known_.find(key); it != known_.end()) return it->second;
  }
  if (auto found = deps_.images.findByKey(key); found && complete(*found)) {
    remember(*found);
    return found;
  }
  return std::nullopt;
}

ImageRecord BuildService::buildOrReuse(const ImageRequest& request, const Plan& plan) {
  if (auto image = cached(plan.key)) {
    deps_.metrics.add("strata_image_cache_total{result=\"hit\"}");
    return *image;
  }
  bool leader = false;
  auto flight = joinOrLead(request, plan, &leader);
  return leader ? lead(flight, request, plan) : follow(flight);
}

std::shared_ptr<BuildService::Flight> BuildService::joinOrLead(const ImageRequest& request,
                                                               const Plan& plan, bool* leader) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = inFlight_.find(plan.key); it != inFlight_.end()) {
    *leader = false;
    return it->second;
  }
  auto flight = std::make_shared<Flight>();
  flight->buildId = log_.open(plan.label, request.source, plan.revisionId, "queued");
  inFlight_.emplace(plan.key, flight);
  *leader = true;
  return flight;
}

ImageRecord BuildService::follow(const std::shared_ptr<Flight>& flight) {
  deps_.metrics.add("strata_image_cache_total{result=\"shared\"}");
  std::unique_lock<std::mutex> lock(flight->mutex);
  flight->done.wait(lock, [&] { return flight->finished; });
  if (flight->error) std::rethrow_exception(flight->error);
  return *flight->result;
}

ImageRecord BuildService::lead(const std::shared_ptr<Flight>& flight, const ImageRequest& request,
                               const Plan& plan) {
  const std::string& id = flight->buildId;
  std::optional<ImageRecord> result;
  std::exception_ptr error;
  try {
    // Another flight may have finished between the cache check and now.
    if (auto found = deps_.images.findByKey(plan.key); found && complete(*found)) {
      result = *found;
    } else {
      deps_.metrics.add("strata_image_cache_total{result=\"miss\"}");
      publishQueue();
      BuildSlots::Lease lease(slots_);
      publishQueue();
      log_.setState(id, "running");
      result = build(request, plan, id);
    }
    deps_.metrics.add("strata_builds_total{result=\"ok\"}");
    log_.succeed(id, result->ociDigest, result->dockerDigest);
  } catch (const Error& e) {
    error = std::current_exception();
    const char* kind = e.kind() == ErrorKind::BuildTimeout      ? "timeout"
                       : e.kind() == ErrorKind::Busy            ? "rejected"
                       : e.kind() == ErrorKind::UnknownManifest ? "unknown_package"
                                                                : "failed";
    deps_.metrics.add(std::string("strata_builds_total{result=\"") + kind + "\"}");
    log_.fail(id, e.detail().empty() ? e.what() : std::string(e.what()) + "\n" + e.detail());
  } catch (const std::exception& e) {
    error = std::current_exception();
    deps_.metrics.add("strata_builds_total{result=\"failed\"}");
    log_.fail(id, e.what());
  } catch (...) {
    error = std::current_exception();
    deps_.metrics.add("strata_builds_total{result=\"failed\"}");
    log_.fail(id, "unknown error");
  }
  publishQueue();
  if (result) remember(*result);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    inFlight_.erase(plan.key);
  }
  {
    std::lock_guard<std::mutex> lock(flight->mutex);
    flight->finished = true;
    flight->result = result;
    flight->error = error;
  }
  flight->done.notify_all();
  if (error) std::rethrow_exception(error);
  return *result;
}

sdk::ClosureGraph BuildService::buildClosure(const ImageRequest& request,
                                             const std::string& packageSet,
                                             std::chrono::steady_clock::time_point deadline,
                                             std::vector<std::string>& outPaths,
                                             const std::function<void(const std::string&)>& log) {
  const auto& nix = deps_.nix;
  std::string system = NixDriver::systemFor(request.arch);
  // 1. Every requested package must exist; all missing ones are named at once.
  Resolution res = nix.resolve(packageSet, request.packages, system, deadline, log);
  if (!res.missing.empty() || !res.notPackages.empty()) {
    std::string msg;
    auto list = [](const std::vector<std::string>& names) {
      std::string s;
      for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
      return s;
    };
    if (!res.missing.empty())
      msg = "unknown package" + std::string(res.missing.size() > 1 ? "s " : " ") +
            list(res.missing) + " in source '" + request.source + "'";
    if (!res.notPackages.empty())
      msg += (msg.empty() ? "" : "; ") + list(res.notPackages) + " " +
             (res.notPackages.size() > 1 ? "are sets" : "is a set") +
             " of packages, not a package: name one inside it";
    throw Error(ErrorKind::UnknownManifest, msg);
  }

  // 2. Build, then read the closure graph.
  std::vector<std::string> attrs;
  outPaths.clear();
  for (const auto& p : res.found) {
    attrs.push_back(p.attr);
    outPaths.push_back(p.outPath);
  }
  std::sort(attrs.begin(), attrs.end());
  attrs.erase(std::unique(attrs.begin(), attrs.end()), attrs.end());
  std::sort(outPaths.begin(), outPaths.end());
  outPaths.erase(std::unique(outPaths.begin(), outPaths.end()), outPaths.end());
  nix.build(packageSet, attrs, system, deadline, log);
  sdk::ClosureGraph graph = nix.closure(outPaths, deadline);
  deps_.popularity.apply(graph);
  return graph;
}

ImageRecord BuildService::build(const ImageRequest& request, const Plan& plan,
                                const std::string& buildId) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(deps_.config.nix.timeoutSeconds);
  std::optional<PhaseTimer> phase(std::in_place, &deps_.metrics, "nix");
  std::vector<std::string> outPaths;
  auto graph = std::make_shared<const sdk::ClosureGraph>(
      buildClosure(request, plan.packageSet, deadline, outPaths,
                   [this, &buildId](const std::string& line) { log_.append(buildId, line); }));

  phase.emplace(&deps_.metrics, "layering");
  // 3. Plan: the strategy gets the budget minus the symlink layer.
  const auto& strategy = [&]() -> const StrategyRegistry::Entry& {
    try {
      return deps_.strategies.get(plan.strategy);
    } catch (const std::invalid_argument& e) {
      throw Error(ErrorKind::Internal, e.what());
    }
  }();
  auto layerPlan =
      planLayers(strategy, plan.strategy, *graph, static_cast<std::uint32_t>(plan.maxLayers - 1));

  phase.emplace(&deps_.metrics, "layers");
  // 4. Layers: reuse those whose store paths were layered before.
  std::vector<std::optional<LayerBlob>> built(layerPlan.size() + 1);
  std::vector<std::string> keys(layerPlan.size() + 1);
  Codec codec = parseCodec(deps_.sources.get(request.source).config().compression);
  std::string suffix = codec == Codec::Gzip ? "" : std::string("+") + codecName(codec);
  for (std::size_t i = 0; i < layerPlan.size(); ++i)
    keys[i] = layerKey("store" + suffix, layerPlan[i]);
  keys[layerPlan.size()] = layerKey("symlinks" + suffix, outPaths);
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  parallelFor(built.size(), threads, [&](std::size_t i) {
    if (auto cached = deps_.images.findLayer(keys[i]); cached && deps_.blobs.stat(cached->digest)) {
      built[i] = *cached;
      deps_.metrics.add("strata_layer_cache_total{result=\"hit\"}");
      return;
    }
    deps_.metrics.add("strata_layer_cache_total{result=\"miss\"}");
    if (i < layerPlan.size())
      built[i] = buildLayer(
          deps_.blobs, codec, [&](TarWriter& t) { writeStorePaths(t, layerPlan[i]); },
          &TaskPool::shared());
    else
      built[i] = buildLayer(
          deps_.blobs, codec, [&](TarWriter& t) { writeSymlinkTree(t, outPaths); },
          &TaskPool::shared());
    deps_.images.saveLayer(keys[i], *built[i]);
  });
  std::vector<LayerBlob> layers;
  for (auto& b : built) layers.push_back(std::move(*b));

  phase.emplace(&deps_.metrics, "manifest");
  // 5. Config and both manifests, stored as blobs, then the record.
  ImageOrigin origin{request.arch, request.source, plan.revisionId, request.packages};
  std::string config = buildImageConfig(origin, layers);
  Digest configDigest = deps_.blobs.put(config);
  std::string oci =
      buildManifest(ManifestFormat::Oci, configDigest.str(), config.size(), layers, codec);
  // Docker schema 2 has no zstd layer type: zstd images are OCI only, and the
  // Docker digest names the OCI manifest.
  std::string docker =
      codec == Codec::Gzip
          ? buildManifest(ManifestFormat::Docker, configDigest.str(), config.size(), layers, codec)
          : oci;
  Digest ociDigest = deps_.blobs.put(oci);
  Digest dockerDigest = deps_.blobs.put(docker);

  ImageRecord image;
  image.cacheKey = plan.key;
  image.source = request.source;
  image.revision = plan.revisionId;
  image.packages = request.packages;
  image.arch = request.arch;
  image.strategy = plan.strategy;
  image.configDigest = configDigest.str();
  image.ociDigest = ociDigest.str();
  image.ociSize = oci.size();
  image.dockerDigest = dockerDigest.str();
  image.dockerSize = docker.size();
  std::vector<std::string> blobs = {image.configDigest, image.ociDigest, image.dockerDigest};
  for (const auto& l : layers) blobs.push_back(l.digest.str());
  // The closure goes with the image: post-build policies judge cached pulls too.
  deps_.images.save(image, blobs, graph.get());
  rememberClosure(plan.key, graph);
  return image;
}

}  // namespace strata
