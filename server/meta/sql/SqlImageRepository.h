#pragma once

#include "meta/ImageRepository.h"

namespace strata {

class SqlDatabase;

/// ImageRepository on SQLite.
class SqlImageRepository : public ImageRepository {
 public:
  explicit SqlImageRepository(SqlDatabase& db) : db_(db) {}

  std::optional<ImageRecord> findByKey(const std::string& cacheKey) override;
  std::optional<ImageRecord> findByManifestDigest(const std::string& name,
                                                  const std::string& digest) override;
  void save(const ImageRecord& image, const std::vector<std::string>& blobDigests,
            const sdk::ClosureGraph* closure = nullptr) override;
  std::optional<sdk::ClosureGraph> findClosure(const std::string& cacheKey) override;
  void saveClosure(const std::string& cacheKey, const sdk::ClosureGraph& closure) override;
  void recordResolution(const std::string& name, const std::string& tag,
                        const std::string& revision, const std::string& cacheKey) override;
  std::optional<TagResolution> findResolution(const std::string& name,
                                              const std::string& tag) override;
  bool blobVisible(const std::string& name, const std::string& digest) override;
  std::vector<std::string> tags(const std::string& name, const std::string& last,
                                std::size_t limit) override;
  std::vector<std::string> names(const std::string& last, std::size_t limit) override;
  std::vector<std::string> referencedBlobs() override;
  std::optional<LayerBlob> findLayer(const std::string& layerKey) override;
  void saveLayer(const std::string& layerKey, const LayerBlob& blob) override;

 private:
  SqlDatabase& db_;
};

}  // namespace strata
