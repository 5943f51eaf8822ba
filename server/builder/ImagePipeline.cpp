#include "builder/ImagePipeline.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "config/Config.h"
#include "image/Manifest.h"
#include "image/Referrers.h"
#include "layers/LayerArchive.h"
#include "layers/LayerBuilder.h"
#include "layers/StrategyRegistry.h"
#include "meta/ImageRepository.h"
#include "nix/NixDriver.h"
#include "storage/BlobStore.h"
#include "util/Error.h"
#include "util/Metrics.h"

namespace strata {
namespace {

std::string quotedList(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

/// The 404 naming every requested package that is missing or not a package.
Error unknownPackages(const Resolution& res, const std::string& source) {
  std::string msg;
  if (!res.missing.empty())
    msg = "unknown package" + std::string(res.missing.size() > 1 ? "s " : " ") +
          quotedList(res.missing) + " in source '" + source + "'";
  if (!res.notPackages.empty())
    msg += (msg.empty() ? "" : "; ") + quotedList(res.notPackages) + " " +
           (res.notPackages.size() > 1 ? "are sets" : "is a set") +
           " of packages, not a package: name one inside it";
  return Error(ErrorKind::UnknownManifest, msg);
}

template <typename T>
void sortUnique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

unsigned writerThreads() {
  return std::max(2u, std::thread::hardware_concurrency());
}

}  // namespace

ImagePipeline::ImagePipeline(Deps deps) : deps_(deps), writers_(writerThreads()) {}

ImagePipeline::Deadline ImagePipeline::deadlineFromNow() const {
  return std::chrono::steady_clock::now() + std::chrono::seconds(deps_.config.nix.timeoutSeconds);
}

ImageClosure ImagePipeline::closure(const ResolvedImage& job, Deadline deadline,
                                    const LogSink& log) {
  const auto& nix = deps_.nix;
  std::string system = NixDriver::systemFor(job.request.arch);
  // 1. Every requested package must exist; all missing ones are named at once.
  PackageSet packageSet{job.packageSet, {}};
  for (const auto& source : deps_.config.sources)
    if (source.name == job.request.source) {
      packageSet.allowedPaths = source.allowedPaths;
      packageSet.imagesAttribute = source.imagesAttribute;
    }
  Resolution res = nix.resolve(packageSet, job.request.packages, system, deadline, log);
  if (!res.missing.empty() || !res.notPackages.empty())
    throw unknownPackages(res, job.request.source);
  if (res.declared.size() > 1)
    throw Error(ErrorKind::InvalidName,
                "'" + res.declared[0].first + "' and '" + res.declared[1].first +
                    "' are both declared images: an image name names one at most");
  // 2. Build, then read the closure graph.
  ImageClosure result;
  std::vector<std::string> attrs;
  for (const auto& p : res.found) {
    attrs.push_back(p.attr);
    result.outPaths.push_back(p.outPath);
    result.requested.push_back(SbomPackage{p.attr, p.outPath, p.meta});
  }
  if (!res.declared.empty()) {
    result.declared = parseDeclaration(res.declared[0].second);
    // Named to the build, which then builds the declaration's contents too.
    attrs.push_back(res.declared[0].first);
    for (const auto& p : result.declared->contents) {
      result.outPaths.push_back(p.outPath);
      result.requested.push_back(SbomPackage{p.name, p.outPath, p.meta});
    }
    if (result.outPaths.empty())
      throw Error(ErrorKind::BuildFailed, "declared image '" + result.declared->name +
                                              "' has no contents and the name adds no package");
  }
  sortUnique(attrs);
  sortUnique(result.outPaths);
  deps_.metrics.add("strata_nix_builds_total");
  // A cache hit (every output valid already) is answered by the closure
  // query alone: one Nix process, not two.
  if (auto valid = nix.closureIfValid(result.outPaths, deadline)) {
    if (log)
      log("all " + std::to_string(result.outPaths.size()) +
          " output paths are in the store already: nothing to build");
    result.graph = std::move(*valid);
  } else {
    nix.build(packageSet, attrs, system, deadline, log);
    result.graph = nix.closure(result.outPaths, deadline);
  }
  if (result.declared) {
    // A path the config names but the image lacks would fail only when the
    // container starts: say so now.
    std::set<std::string> inImage;
    for (const auto& p : result.graph.paths) inImage.insert(p.path);
    for (const auto& path : result.declared->storePathsNamed())
      if (!inImage.count(path))
        throw Error(ErrorKind::BuildFailed,
                    "declared image '" + result.declared->name + "': its config names " + path +
                        ", which is not in the image: add its package to contents");
  }
  deps_.popularity.apply(result.graph);
  return result;
}

BuiltImage ImagePipeline::build(const ResolvedImage& job, const LogSink& log) {
  std::optional<PhaseTimer> phase(std::in_place, &deps_.metrics, "nix");
  ImageClosure built = closure(job, deadlineFromNow(), log);
  const std::vector<std::string>& outPaths = built.outPaths;
  auto graph = std::make_shared<const sdk::ClosureGraph>(std::move(built.graph));
  const ImageDeclaration* declared = built.declared ? &*built.declared : nullptr;

  if (job.format == ImageFormat::NixSnapshotter) {
    phase.emplace(&deps_.metrics, "layers");
    std::vector<LayerBlob> layers{writeNixSnapshotterLayer(job, *graph, outPaths)};
    if (auto accounts = writeAccountsLayer(job, declared)) layers.push_back(std::move(*accounts));
    phase.emplace(&deps_.metrics, "manifest");
    return BuiltImage{storeImage(job, layers, graph, built.requested, declared), graph};
  }
  phase.emplace(&deps_.metrics, "layering");
  // 3. Plan: the strategy gets the budget minus the symlink layer (and the
  // accounts layer of a declared image that needs one).
  const int generated =
      declared != nullptr && (declared->user || !declared->config.workingDir.empty()) ? 1 : 0;
  if (job.layering.maxLayers - 1 - generated < 1)
    throw Error(ErrorKind::BuildFailed, "declared image '" + declared->name +
                                            "' needs maxLayers of 3 at least (it is " +
                                            std::to_string(job.layering.maxLayers) + ")");
  const auto& strategy = [&]() -> const StrategyRegistry::Entry& {
    try {
      return deps_.strategies.get(job.layering.strategy);
    } catch (const std::invalid_argument& e) {
      throw Error(ErrorKind::Internal, e.what());
    }
  }();
  auto plan = planLayers(strategy, job.layering.strategy, *graph,
                         static_cast<std::uint32_t>(job.layering.maxLayers - 1 - generated),
                         std::chrono::seconds(deps_.config.plugins.timeoutSeconds));

  phase.emplace(&deps_.metrics, "layers");
  std::vector<LayerBlob> layers = writeLayers(job, plan, outPaths);
  if (auto accounts = writeAccountsLayer(job, declared)) layers.push_back(std::move(*accounts));

  phase.emplace(&deps_.metrics, "manifest");
  return BuiltImage{storeImage(job, layers, graph, built.requested, declared), graph};
}

std::optional<LayerBlob> ImagePipeline::writeAccountsLayer(const ResolvedImage& job,
                                                           const ImageDeclaration* declared) {
  if (declared == nullptr || (!declared->user && declared->config.workingDir.empty()))
    return std::nullopt;
  const ImageUser* user = declared->user ? &*declared->user : nullptr;
  std::vector<std::string> keyed{user ? user->name : "", user ? std::to_string(user->uid) : "",
                                 user ? std::to_string(user->gid) : "",
                                 declared->config.workingDir};
  std::string suffix = job.codec == Codec::Gzip ? "" : std::string("+") + codecName(job.codec);
  return writeLayer(job, layerKey("accounts" + suffix, keyed), [&](TarWriter& t) {
    writeImageAccounts(t, user, declared->config.workingDir);
  });
}

std::vector<LayerBlob> ImagePipeline::writeLayers(const ResolvedImage& job,
                                                  const std::vector<sdk::Layer>& plan,
                                                  const std::vector<std::string>& outPaths) {
  // 4. Layers: reuse those whose store paths were layered before. The last
  // one is the symlink layer. The first failure stops the layers not started
  // yet; every task ends before this frame goes (they refer to it).
  struct Outcome {
    std::mutex mutex;
    std::exception_ptr error;
    std::atomic<bool> failed{false};
    void fail(std::exception_ptr e) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::move(e);
      failed = true;
    }
  } outcome;
  std::string suffix = job.codec == Codec::Gzip ? "" : std::string("+") + codecName(job.codec);
  auto write = [&](std::size_t i, const std::string& key) -> std::optional<LayerBlob> {
    if (outcome.failed) return std::nullopt;
    try {
      return writeLayer(job, key, [&](TarWriter& t) {
        if (i == plan.size())
          writeSymlinkTree(t, outPaths);
        else
          writeStorePaths(t, plan[i]);
      });
    } catch (...) {
      outcome.fail(std::current_exception());
      return std::nullopt;
    }
  };
  // Reserved up front: once a task is queued, nothing may throw before its
  // future is held and waited for.
  std::vector<std::future<std::optional<LayerBlob>>> pending;
  pending.reserve(plan.size() + 1);
  std::vector<std::optional<LayerBlob>> written;
  written.reserve(plan.size() + 1);
  try {
    for (std::size_t i = 0; i <= plan.size(); ++i) {
      std::string key = i == plan.size() ? layerKey("symlinks" + suffix, outPaths)
                                         : layerKey("store" + suffix, plan[i]);
      pending.push_back(writers_.submit([&write, i, key] { return write(i, key); }));
    }
  } catch (...) {
    outcome.fail(std::current_exception());
  }
  for (auto& f : pending) written.push_back(f.get());
  if (outcome.error) std::rethrow_exception(outcome.error);
  std::vector<LayerBlob> layers;
  for (auto& blob : written) layers.push_back(std::move(*blob));
  return layers;
}

LayerBlob ImagePipeline::writeNixSnapshotterLayer(const ResolvedImage& job,
                                                  const sdk::ClosureGraph& closure,
                                                  const std::vector<std::string>& outPaths) {
  std::vector<std::string> paths;
  for (const auto& p : closure.paths) paths.push_back(p.path);
  // The layer depends on the closure and on which paths are the roots.
  std::vector<std::string> keyed = paths;
  keyed.push_back("roots:");
  keyed.insert(keyed.end(), outPaths.begin(), outPaths.end());
  std::string suffix = job.codec == Codec::Gzip ? "" : std::string("+") + codecName(job.codec);
  LayerBlob layer = writeLayer(job, layerKey("nix-snapshotter" + suffix, keyed),
                               [&](TarWriter& t) { writeNixSnapshotterRoot(t, paths, outPaths); });
  // What nix-snapshotter reads: the store paths to mount, numbered from 0.
  layer.annotations.emplace_back("containerd.io/snapshot/nix-layer", "true");
  for (std::size_t i = 0; i < paths.size(); ++i)
    layer.annotations.emplace_back("containerd.io/snapshot/nix-store-path." + std::to_string(i),
                                   paths[i]);
  return layer;
}

LayerBlob ImagePipeline::writeLayer(const ResolvedImage& job, const std::string& key,
                                    const std::function<void(TarWriter&)>& produce) {
  if (auto cached = deps_.images.findLayer(key); cached && deps_.blobs.stat(cached->digest)) {
    deps_.metrics.add("strata_layer_cache_total{result=\"hit\"}");
    return *cached;
  }
  deps_.metrics.add("strata_layer_cache_total{result=\"miss\"}");
  LayerBlob blob = buildLayer(deps_.blobs, job.codec, produce, &TaskPool::shared());
  deps_.images.saveLayer(key, blob);
  return blob;
}

ImageRecord ImagePipeline::storeImage(const ResolvedImage& job,
                                      const std::vector<LayerBlob>& layers,
                                      const std::shared_ptr<const sdk::ClosureGraph>& closure,
                                      const std::vector<SbomPackage>& requested,
                                      const ImageDeclaration* declared) {
  // 5. Config and both manifests, stored as blobs, then the SBOM, then the
  // record.
  const ImageRequest& request = job.request;
  ImageOrigin origin{request.arch, request.source, job.revision, request.packages, declared};
  std::string config = buildImageConfig(origin, layers);
  Digest configDigest = deps_.blobs.put(config);
  std::string oci =
      buildManifest(ManifestFormat::Oci, configDigest.str(), config.size(), layers, job.codec);
  // Docker schema 2 has no zstd layer type and no annotations: zstd and
  // nix-snapshotter images are OCI only, and the Docker digest names the OCI
  // manifest.
  std::string docker = job.codec == Codec::Gzip && job.format == ImageFormat::Layers
                           ? buildManifest(ManifestFormat::Docker, configDigest.str(),
                                           config.size(), layers, job.codec)
                           : oci;
  Digest ociDigest = deps_.blobs.put(oci);
  Digest dockerDigest = deps_.blobs.put(docker);

  ImageRecord image;
  image.cacheKey = job.key;
  image.source = request.source;
  image.revision = job.revision;
  image.packages = request.packages;
  if (declared != nullptr) image.contents = declared->packageNames();
  image.arch = request.arch;
  image.strategy = job.layering.strategy;
  image.configDigest = configDigest.str();
  image.ociDigest = ociDigest.str();
  image.ociSize = oci.size();
  image.dockerDigest = dockerDigest.str();
  image.dockerSize = docker.size();
  storeSbom(image, *closure, requested);
  std::vector<std::string> blobs = image.ownBlobs();
  for (const auto& l : layers) blobs.push_back(l.digest.str());
  // The closure goes with the image: post-build policies judge cached pulls too.
  deps_.images.save(image, blobs, closure.get());
  return image;
}

ImageRecord ImagePipeline::storeIndex(const ResolvedImage& job,
                                      const std::vector<ImageRecord>& images) {
  std::vector<PlatformManifest> oci, docker;
  bool ociOnly = false;
  for (const auto& image : images) {
    oci.push_back({image.arch, image.ociDigest, image.ociSize});
    docker.push_back({image.arch, image.dockerDigest, image.dockerSize});
    ociOnly = ociOnly || image.dockerDigest == image.ociDigest;
  }
  std::string ociIndex = buildIndex(ManifestFormat::Oci, oci);
  // Images with an OCI manifest only (zstd, nix-snapshotter) have no Docker
  // manifest list either: its digest names the OCI index.
  std::string dockerList = ociOnly ? ociIndex : buildIndex(ManifestFormat::Docker, docker);
  ImageRecord index;
  index.cacheKey = job.key;
  index.source = job.request.source;
  index.revision = job.revision;
  index.packages = job.request.packages;
  index.arch = ImageRecord::joinPlatforms(job.request.platforms);
  index.strategy = job.layering.strategy;
  index.ociDigest = deps_.blobs.put(ociIndex).str();
  index.ociSize = ociIndex.size();
  index.dockerDigest = deps_.blobs.put(dockerList).str();
  index.dockerSize = dockerList.size();
  for (const auto& image : images) index.platformImages.push_back(image.cacheKey);
  deps_.images.save(index, index.ownBlobs());
  return index;
}

void ImagePipeline::storeSbom(ImageRecord& image, const sdk::ClosureGraph& closure,
                              const std::vector<SbomPackage>& requested) {
  std::string sbom = buildSbom(
      SbomInput{image.source, image.revision, image.arch, image.packages, requested, &closure});
  Digest sbomDigest = deps_.blobs.put(sbom);
  deps_.blobs.put(kEmptyJson);
  image.sbomDigest = sbomDigest.str();
  Descriptor blob{media::kCycloneDxJson, image.sbomDigest, sbom.size()};
  // One artifact per manifest: a client that got the Docker manifest asks
  // for the referrers of that digest. A zstd image has one manifest.
  std::vector<Descriptor> subjects{{media::kOciManifest, image.ociDigest, image.ociSize}};
  if (image.dockerDigest != image.ociDigest)
    subjects.push_back({media::kDockerManifest, image.dockerDigest, image.dockerSize});
  for (const auto& subject : subjects) {
    std::string artifact = buildArtifactManifest(media::kCycloneDxJson, blob, subject);
    Digest digest = deps_.blobs.put(artifact);
    image.referrers.push_back(Referrer{subject.digest, digest.str(), media::kOciManifest,
                                       media::kCycloneDxJson, artifact.size()});
  }
}

}  // namespace strata
