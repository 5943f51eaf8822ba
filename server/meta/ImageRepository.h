#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "layers/LayerBuilder.h"
#include "strata/sdk/closure.h"

namespace strata {

class Database;

/// A built image: the same content in both manifest formats.
struct ImageRecord {
  std::string cacheKey;
  std::string source;
  std::string revision;
  std::vector<std::string> packages;
  std::string arch;
  std::string strategy;
  std::string configDigest;
  std::string ociDigest;
  std::uint64_t ociSize = 0;
  std::string dockerDigest;
  std::uint64_t dockerSize = 0;
  std::int64_t createdAt = 0;
};

/// Images, resolutions (name, tag → revision → image), and the layer cache.
class ImageRepository {
 public:
  explicit ImageRepository(Database& db) : db_(db) {}

  std::optional<ImageRecord> findByKey(const std::string& cacheKey);
  /// An image served under `name` whose OCI or Docker manifest has `digest`.
  std::optional<ImageRecord> findByManifestDigest(const std::string& name,
                                                  const std::string& digest);
  /// Stores the image, the blobs it references and, when given, its runtime
  /// closure, in one transaction (idempotent).
  void save(const ImageRecord& image, const std::vector<std::string>& blobDigests,
            const sdk::ClosureGraph* closure = nullptr);
  /// The closure recorded with the image; nullopt for images built before
  /// closures were recorded (migration 0003).
  std::optional<sdk::ClosureGraph> findClosure(const std::string& cacheKey);
  /// Records the closure of an image saved before closures were recorded.
  void saveClosure(const std::string& cacheKey, const sdk::ClosureGraph& closure);
  /// Records that `name:tag` resolved to `revision` and that image.
  void recordResolution(const std::string& name, const std::string& tag,
                        const std::string& revision, const std::string& cacheKey);

  struct TagResolution {
    std::string revision;
    std::string cacheKey;
  };
  std::optional<TagResolution> findResolution(const std::string& name, const std::string& tag);

  /// True when an image served under `name` references the blob.
  bool blobVisible(const std::string& name, const std::string& digest);

  /// Tags ever resolved for `name`, sorted; at most `limit` after `last`.
  std::vector<std::string> tags(const std::string& name, const std::string& last,
                                std::size_t limit);
  /// Names ever served, sorted; at most `limit` after `last`.
  std::vector<std::string> names(const std::string& last, std::size_t limit);

  /// Every blob digest an image or the layer cache refers to.
  std::vector<std::string> referencedBlobs();

  std::optional<LayerBlob> findLayer(const std::string& layerKey);
  void saveLayer(const std::string& layerKey, const LayerBlob& blob);

 private:
  Database& db_;
  /// Positive answers about immutable facts (a manifest or blob served under a
  /// name stays so: images are never deleted), kept so that warm pulls by
  /// digest do not query the database.
  std::mutex cacheMutex_;
  std::map<std::pair<std::string, std::string>, ImageRecord> byDigest_;
  std::set<std::pair<std::string, std::string>> visibleBlobs_;
};

}  // namespace strata
