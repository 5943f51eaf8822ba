#pragma once

#include <mutex>

#include "sources/PackageSource.h"

namespace strata {

/// A package set in a local folder (or file). The tag is ignored: the revision
/// is a hash of the contents, so an edited folder gives a new revision.
class PathSource : public PackageSource {
 public:
  explicit PathSource(SourceConfig config);
  const SourceConfig& config() const override { return config_; }
  Revision resolve(const std::string& tag) override;
  Revision checkout(const std::string& revisionId) override;
  std::vector<SourceRef> refs() override;

 private:
  SourceConfig config_;
  /// The content hash is recomputed only when the cheap signature of the tree
  /// (names, kinds, sizes, modification times) changes.
  std::mutex mutex_;
  std::string lastSignature_;
  std::string lastHash_;
};

/// sha256 hex over the names, kinds, sizes, modes and modification times of
/// everything below `path` (no file is read), ".git" skipped.
std::string treeSignature(const std::string& path);

/// sha256 hex over the names, kinds, executable bits and contents (or link
/// targets) of everything below `path`, in byte order of names; ".git" is
/// skipped. Throws std::runtime_error when `path` does not exist.
std::string hashTree(const std::string& path);

}  // namespace strata
