#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "builder/ResolvedImage.h"
#include "image/Declaration.h"
#include "image/ImageRecord.h"
#include "image/LayerBlob.h"
#include "image/Sbom.h"
#include "strata/sdk/layering.h"
#include "util/TaskPool.h"

namespace strata {

struct Config;
class BlobStore;
class ImageRepository;
class NixDriver;
class StrategyRegistry;
class PopularityData;
class Metrics;
class TarWriter;

/// What Nix gave for an image's packages.
struct ImageClosure {
  sdk::ClosureGraph graph;            ///< with popularity applied
  std::vector<std::string> outPaths;  ///< of the requested packages, sorted
  std::vector<SbomPackage> requested;
  /// The image the name declares, if it names one.
  std::optional<ImageDeclaration> declared;
};

/// An image as the pipeline left it: recorded, with the closure it came from.
struct BuiltImage {
  ImageRecord image;
  std::shared_ptr<const sdk::ClosureGraph> closure;
};

/// One build, start to end: Nix builds the packages and gives the closure,
/// the strategy plans the layers, each layer is written once (or reused by
/// its store paths), then the config and both manifests are stored and the
/// image is recorded with its closure. Knows nothing of who asked, nor of
/// other builds in flight (BuildService).
class ImagePipeline {
 public:
  using LogSink = std::function<void(const std::string&)>;
  using Deadline = std::chrono::steady_clock::time_point;

  struct Deps {
    const Config& config;
    const NixDriver& nix;
    BlobStore& blobs;
    ImageRepository& images;
    const StrategyRegistry& strategies;
    const PopularityData& popularity;
    Metrics& metrics;
  };

  explicit ImagePipeline(Deps deps);

  /// Builds `job` and records it. Throws strata::Error: UnknownManifest naming
  /// every missing package, BuildFailed/BuildTimeout with Nix's log tail,
  /// Internal for a strategy that plans badly. Nix's output goes to `log`.
  BuiltImage build(const ResolvedImage& job, const LogSink& log = {});

  /// Evaluates and builds the packages of `job` and reads their runtime
  /// closure.
  ImageClosure closure(const ResolvedImage& job, Deadline deadline, const LogSink& log = {});

  /// The last step of a build: stores the image config, both manifests, the
  /// SBOM and its artifact manifests for `layers` (stored already) and
  /// records the image with its closure.
  ImageRecord storeImage(const ResolvedImage& job, const std::vector<LayerBlob>& layers,
                         const std::shared_ptr<const sdk::ClosureGraph>& closure,
                         const std::vector<SbomPackage>& requested,
                         const ImageDeclaration* declared = nullptr);

  /// Stores the OCI image index and the Docker manifest list of `images`
  /// (one per platform of `job`, in order) and records the index.
  ImageRecord storeIndex(const ResolvedImage& job, const std::vector<ImageRecord>& images);

  /// The deadline of a build starting now (nix.timeoutSeconds).
  Deadline deadlineFromNow() const;

 private:
  std::vector<LayerBlob> writeLayers(const ResolvedImage& job, const std::vector<sdk::Layer>& plan,
                                     const std::vector<std::string>& outPaths);
  /// The layer of a declared image's accounts and folders, when it needs one.
  std::optional<LayerBlob> writeAccountsLayer(const ResolvedImage& job,
                                              const ImageDeclaration* declared);
  /// The one layer of a nix-snapshotter image, with its annotations.
  LayerBlob writeNixSnapshotterLayer(const ResolvedImage& job, const sdk::ClosureGraph& closure,
                                     const std::vector<std::string>& outPaths);
  /// One layer: the one cached under `key` when its blob is stored, else
  /// written from `produce` and cached.
  LayerBlob writeLayer(const ResolvedImage& job, const std::string& key,
                       const std::function<void(TarWriter&)>& produce);

  /// The image's SBOM and one artifact manifest per manifest of the image.
  void storeSbom(ImageRecord& image, const sdk::ClosureGraph& closure,
                 const std::vector<SbomPackage>& requested);

  Deps deps_;
  /// Layers of a build are written in parallel here; their compression runs
  /// on TaskPool::shared(), so a writer waiting for its chunks never blocks
  /// the threads that compress them.
  TaskPool writers_;
};

}  // namespace strata
