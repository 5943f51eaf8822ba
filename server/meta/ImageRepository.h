#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "image/ImageRecord.h"
#include "image/LayerBlob.h"
#include "strata/sdk/closure.h"

namespace strata {

/// Images, resolutions (name, tag → revision → image), which blobs a name may
/// serve, and the layer cache. One implementation per database engine
/// (meta/sqlite/); CachedImageRepository keeps immutable answers in memory
/// in front of any of them.
class ImageRepository {
 public:
  virtual ~ImageRepository() = default;

  virtual std::optional<ImageRecord> findByKey(const std::string& cacheKey) = 0;
  /// An image served under `name` whose OCI or Docker manifest has `digest`.
  virtual std::optional<ImageRecord> findByManifestDigest(const std::string& name,
                                                          const std::string& digest) = 0;
  /// Stores the image, the blobs it references and, when given, its runtime
  /// closure, in one transaction (idempotent).
  virtual void save(const ImageRecord& image, const std::vector<std::string>& blobDigests,
                    const sdk::ClosureGraph* closure = nullptr) = 0;
  /// The closure recorded with the image; nullopt for images built before
  /// closures were recorded (migration 0003).
  virtual std::optional<sdk::ClosureGraph> findClosure(const std::string& cacheKey) = 0;
  /// Records the closure of an image saved before closures were recorded.
  virtual void saveClosure(const std::string& cacheKey, const sdk::ClosureGraph& closure) = 0;
  /// Records that `name:tag` resolved to `revision` and that image.
  virtual void recordResolution(const std::string& name, const std::string& tag,
                                const std::string& revision, const std::string& cacheKey) = 0;

  struct TagResolution {
    std::string revision;
    std::string cacheKey;
  };
  virtual std::optional<TagResolution> findResolution(const std::string& name,
                                                      const std::string& tag) = 0;

  /// True when an image served under `name` references the blob.
  virtual bool blobVisible(const std::string& name, const std::string& digest) = 0;

  /// Tags ever resolved for `name`, sorted; at most `limit` after `last`.
  virtual std::vector<std::string> tags(const std::string& name, const std::string& last,
                                        std::size_t limit) = 0;
  /// Names ever served, sorted; at most `limit` after `last`.
  virtual std::vector<std::string> names(const std::string& last, std::size_t limit) = 0;

  /// Every blob digest an image or the layer cache refers to.
  virtual std::vector<std::string> referencedBlobs() = 0;

  virtual std::optional<LayerBlob> findLayer(const std::string& layerKey) = 0;
  virtual void saveLayer(const std::string& layerKey, const LayerBlob& blob) = 0;
};

}  // namespace strata
