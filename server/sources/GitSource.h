#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "sources/PackageSource.h"

namespace strata {

/// A package set in a git repository, fetched with libgit2 into a bare mirror
/// under `<dataDir>/sources/<name>/mirror.git`. A tag resolves to a tag, a
/// branch or (40 hex digits) a commit; `latest` means `defaultRef`.
///
/// - A known tag or commit resolves without any fetch. A tag, once known, keeps
///   its commit: upstream tags are fetched into `refs/upstream-tags/*` and only
///   tags never seen before are copied to `refs/tags/*`.
/// - A branch is fetched again once `refreshSeconds` have passed since the last
///   fetch attempt; meanwhile the local branch answers. When the remote cannot be
///   reached, the last fetched state of the branch answers (stale).
/// - A ref unknown locally triggers a fetch (unless one failed within
///   `refreshSeconds`); still unknown: Error(UnknownManifest) when the fetch
///   worked, Error(SourceUnavailable) when it did not.
/// - refs() lists branches and kept tags under the same rule as a branch:
///   fetched again once `refreshSeconds` have passed, else the local state.
/// - One fetch per source at a time; requests that arrive while one runs use
///   its result. Resolutions that need no fetch never wait for one.
///
/// The tree of a commit is exported once into
/// `<dataDir>/sources/<name>/exports/<commit>`, the folder Nix builds from;
/// exports and the mirror are made in `.tmp-*` folders renamed into place when
/// complete, so a crash never leaves a folder a later build trusts. Leftover
/// `.tmp-*` folders of dead processes and stale lock files in the mirror are
/// removed at construction.
class GitSource : public PackageSource {
 public:
  GitSource(SourceConfig config, std::string dataDir);
  ~GitSource() override;

  const SourceConfig& config() const override { return config_; }
  Revision resolve(const std::string& tag) override;
  Revision checkout(const std::string& revisionId) override;
  std::vector<SourceRef> refs() override;

 private:
  using Clock = std::chrono::steady_clock;
  /// The result of one fetch attempt.
  struct Attempt {
    Clock::time_point started;
    bool ok = false;
    std::string error;  ///< libgit2's reason, credentials removed
  };

  void ensureMirror();
  void removeLeftovers();
  /// The outcome of a fetch that started at or after `notBefore`: the one just
  /// finished by another request, or a new one.
  Attempt fetchSince(Clock::time_point notBefore);
  /// Fetches branches and tags; false (with the reason in `error`) when the
  /// remote cannot be reached or refuses.
  bool fetch(std::string& error);
  std::optional<Attempt> lastAttempt() const;
  /// True while the last fetch attempt (`last`) is younger than refreshSeconds.
  bool fresh(const std::optional<Attempt>& last, Clock::time_point at) const;
  std::optional<std::string> lookup(const std::string& refName) const;
  bool hasCommit(const std::string& hex) const;
  Revision exported(const std::string& commit);
  /// `text` with the URL's password and the URL itself replaced.
  std::string scrub(const std::string& text) const;

  SourceConfig config_;
  std::string root_;       ///< <dataDir>/sources/<name>
  std::string mirror_;     ///< root_/mirror.git
  int ownerFd_ = -1;       ///< root_/owner.lock, flock()ed while this object lives
  std::mutex fetchMutex_;  ///< one fetch of this mirror at a time
  mutable std::mutex stateMutex_;
  std::optional<Attempt> lastAttempt_;  ///< guarded by stateMutex_
};

/// True when `ref` may name a branch or tag: a valid git reference name that
/// cannot be mistaken for an option.
bool isValidGitRef(const std::string& ref);

/// `url` with any user:password@ part replaced, for logs and API answers.
std::string redactUrl(const std::string& url);

}  // namespace strata
