#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/Config.h"

namespace strata {

/// An immutable state of a source: what Nix builds from.
struct Revision {
  std::string id;          ///< git commit or content hash
  std::string packageSet;  ///< absolute path of the package set at that revision
};

/// A name under which a source can be pulled now, and what it resolves to.
struct SourceRef {
  std::string name;      ///< "latest", a branch or tag name, or a revision id
  std::string kind;      ///< "latest", "branch", "tag" or "revision"
  std::string revision;  ///< the commit or content hash it resolves to
};

/// Where packages come from. resolve() turns a tag into a revision; it throws
/// strata::Error (UnknownManifest for an unknown ref, InvalidTag for a
/// malformed one).
class PackageSource {
 public:
  virtual ~PackageSource() = default;
  virtual const SourceConfig& config() const = 0;
  virtual Revision resolve(const std::string& tag) = 0;
  /// The package set at a revision resolved before (rebuilding a pinned
  /// image). Throws Error(UnknownManifest) when the source no longer has it.
  virtual Revision checkout(const std::string& revisionId) = 0;
  /// What can be pulled from the source now: `latest` first (when the
  /// default ref exists), then the source's own refs sorted by name. A git
  /// source lists its branches and the tags it keeps, fetched again once
  /// `refreshSeconds` have passed as resolve() does (the last fetched state
  /// answers when the remote cannot be reached); a folder lists `latest` and
  /// its revision. Names need not be valid registry tags (`feature/x`).
  virtual std::vector<SourceRef> refs() = 0;
};

/// The configured sources by name.
class SourceRegistry {
 public:
  void add(std::unique_ptr<PackageSource> source);
  PackageSource& get(const std::string& name) const;  ///< throws Error(UnknownName)
  std::vector<const PackageSource*> all() const;

 private:
  std::map<std::string, std::unique_ptr<PackageSource>> sources_;
};

}  // namespace strata
