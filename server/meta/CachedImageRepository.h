#pragma once

#include <utility>

#include "meta/ImageRepository.h"
#include "util/BoundedCache.h"

namespace strata {

/// Keeps positive answers about immutable facts in memory in front of any
/// ImageRepository: a manifest or blob served under a name stays so (images
/// are never deleted), so warm pulls by digest need no database query.
/// Everything else goes straight through.
class CachedImageRepository : public ImageRepository {
 public:
  /// Budgets in bytes of memory: image records by (name, manifest digest),
  /// and (name, blob digest) pairs known visible.
  CachedImageRepository(ImageRepository& inner, std::size_t recordBytes, std::size_t blobBytes)
      : inner_(inner),
        byDigest_(MemoryBudget{recordBytes}, [](const ImageRecord& r) { return heapBytes(r); }),
        visibleBlobs_(MemoryBudget{blobBytes}, [](bool) { return std::size_t{0}; }) {}

  std::optional<ImageRecord> findByKey(const std::string& cacheKey) override {
    return inner_.findByKey(cacheKey);
  }
  std::optional<ImageRecord> findByManifestDigest(const std::string& name,
                                                  const std::string& digest) override;
  void save(const ImageRecord& image, const std::vector<std::string>& blobDigests,
            const sdk::ClosureGraph* closure = nullptr) override {
    inner_.save(image, blobDigests, closure);
  }
  std::optional<sdk::ClosureGraph> findClosure(const std::string& cacheKey) override {
    return inner_.findClosure(cacheKey);
  }
  void saveClosure(const std::string& cacheKey, const sdk::ClosureGraph& closure) override {
    inner_.saveClosure(cacheKey, closure);
  }
  void recordResolution(const std::string& name, const std::string& tag,
                        const std::string& revision, const std::string& cacheKey) override {
    inner_.recordResolution(name, tag, revision, cacheKey);
  }
  std::optional<TagResolution> findResolution(const std::string& name,
                                              const std::string& tag) override {
    return inner_.findResolution(name, tag);
  }
  bool blobVisible(const std::string& name, const std::string& digest) override;
  std::vector<std::string> tags(const std::string& name, const std::string& last,
                                std::size_t limit) override {
    return inner_.tags(name, last, limit);
  }
  std::vector<std::string> names(const std::string& last, std::size_t limit) override {
    return inner_.names(last, limit);
  }
  std::vector<std::string> referencedBlobs() override { return inner_.referencedBlobs(); }
  std::optional<LayerBlob> findLayer(const std::string& layerKey) override {
    return inner_.findLayer(layerKey);
  }
  void saveLayer(const std::string& layerKey, const LayerBlob& blob) override {
    inner_.saveLayer(layerKey, blob);
  }

 private:
  using NameAndDigest = std::pair<std::string, std::string>;
  ImageRepository& inner_;
  BoundedCache<NameAndDigest, ImageRecord, StringPairHash> byDigest_;
  BoundedCache<NameAndDigest, bool, StringPairHash> visibleBlobs_;
};

}  // namespace strata
