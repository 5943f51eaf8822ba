#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "sources/PackageSource.h"

namespace strata {

/// A package set in a git repository, fetched with libgit2 into a bare mirror
/// under `<dataDir>/sources/<name>/mirror.git`. A tag resolves to a branch, a
/// tag or (40 hex digits) a commit; `latest` means `defaultRef`. A resolved
/// branch is reused for `refreshSeconds`; tags and commits are never fetched
/// again once known. The tree of a commit is exported once into
/// `<dataDir>/sources/<name>/exports/<commit>`, the folder Nix builds from;
/// exports and the first clone happen in temporary folders renamed into place
/// when complete, so a crash never leaves a folder a later build trusts.
class GitSource : public PackageSource {
 public:
  GitSource(SourceConfig config, std::string dataDir);
  ~GitSource() override;

  const SourceConfig& config() const override { return config_; }
  Revision resolve(const std::string& tag) override;
  Revision checkout(const std::string& revisionId) override;

 private:
  void ensureMirror();
  /// Fetches branches and tags; false (with the reason in `error`) when the
  /// remote cannot be reached or refuses.
  bool fetch(std::string& error);
  std::optional<std::string> lookup(const std::string& refName) const;
  bool hasCommit(const std::string& hex) const;
  Revision exported(const std::string& commit);

  SourceConfig config_;
  std::string root_;    ///< <dataDir>/sources/<name>
  std::string mirror_;  ///< root_/mirror.git
  std::mutex mutex_;    ///< one libgit2 operation on this mirror at a time
  std::optional<std::chrono::steady_clock::time_point> lastFetch_;
};

/// True when `ref` may name a branch or tag: a valid git reference name that
/// cannot be mistaken for an option.
bool isValidGitRef(const std::string& ref);

/// `url` with any user:password@ part replaced, for logs and API answers.
std::string redactUrl(const std::string& url);

}  // namespace strata
