#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/Caller.h"
#include "builder/SingleFlight.h"
#include "image/Declaration.h"
#include "image/PackageListing.h"
#include "util/BoundedCache.h"

namespace strata {

struct Config;
struct SourceConfig;
class AccessGate;
class NixDriver;
class SourceRegistry;
struct Revision;

/// A ref of a source as GET /api/v1/sources/<name>/refs shows it.
struct RefInfo {
  std::string name;      ///< "latest", a branch or tag name, or a revision id
  std::string kind;      ///< "latest", "branch", "tag" or "revision"
  std::string revision;  ///< the commit (git) or content hash (folder) it resolves to now
  bool tag = false;      ///< usable as a registry tag (tags/list lists it)
};

struct RefsAnswer {
  std::string source;
  std::string type;  ///< the source's type: "path", "git" or "nixpkgs"
  std::vector<RefInfo> refs;
};

/// GET /api/v1/sources/<name>/packages?q=&ref=&n=, without HTTP.
struct PackageQuery {
  Caller caller;
  std::string source;
  std::string ref = "latest";
  std::string q;  ///< "" lists every package
  std::size_t n = 50;
};

struct PackagesAnswer {
  std::string source;
  std::string ref;
  std::string revision;
  std::string query;
  std::vector<PackageEntry> packages;
  /// More packages match than were listed, or the package set holds more
  /// packages than a listing keeps (NixDriver::kMaxPackages).
  bool truncated = false;
};

/// GET /api/v1/sources/<name>/images?ref=, without HTTP.
struct ImagesAnswer {
  std::string source;
  std::string prefix;  ///< the source's prefix: an image is pulled as prefix/name
  std::string ref;
  std::string revision;
  std::vector<ImageDeclaration> images;  ///< by name
  /// The name each image is pulled by (prefix/lowercase name), in the order
  /// of `images`; "" when the declaration's name cannot be one.
  std::vector<std::string> pullNames;
  std::vector<std::pair<std::string, std::string>> invalid;  ///< name, what is wrong
};

/// What can be pulled from a source, for people and tools that look before
/// they pull: its refs, and its packages found by a search. The package
/// listing is evaluated once per (source, revision) and kept in a bounded
/// cache; concurrent first requests share one evaluation, and one listing
/// is evaluated at a time. The search never reaches Nix: it filters the
/// listing here.
///
/// Access, with auth on: a caller holding no pull grant on the source is
/// refused as a pull would be (401 or 403); otherwise only the packages the
/// caller may pull are listed. Access policies of plugins judge the source
/// as an image of no packages.
class SourceBrowser {
 public:
  static constexpr std::size_t kMaxQueryBytes = 200;
  static constexpr std::size_t kDefaultResults = 50;
  static constexpr std::size_t kMaxResults = 500;

  struct Deps {
    const Config& config;
    SourceRegistry& sources;
    const NixDriver& nix;
    /// Null: nothing is checked (the admin CLI, which holds the database).
    AccessGate* access = nullptr;
  };
  explicit SourceBrowser(Deps deps);

  /// Throws Error(UnknownName) for an unknown source, the access errors,
  /// Error(SourceUnavailable) when a git source was never fetched and
  /// cannot be reached.
  RefsAnswer refs(const Caller& caller, const std::string& source);
  /// Also Error(BadRequest) for a bad query, Error(InvalidTag) and
  /// Error(UnknownManifest) for the ref as a pull would, Nix's errors.
  PackagesAnswer packages(const PackageQuery& query);
  /// The images the source declares at `ref` (docs/images.md), evaluated
  /// once per revision; with auth on, only those whose name and contents
  /// the caller may pull. Throws as packages() does.
  ImagesAnswer images(const Caller& caller, const std::string& source, const std::string& ref);

  /// Throws Error(BadRequest) for a query longer than kMaxQueryBytes, with
  /// control characters, or not UTF-8.
  static void checkQuery(const std::string& q);
  /// The entries matching `q` (case-insensitive substring of the attribute
  /// path, name or description) that `allowed` accepts (null: all), best
  /// first: an exact attribute path or name, then a name or attribute path
  /// starting with `q`, then the others; by attribute path within each.
  /// At most `n`; `truncated` is set when more match.
  static std::vector<PackageEntry> search(const std::vector<PackageEntry>& all,
                                          const std::string& q, std::size_t n,
                                          const std::function<bool(const PackageEntry&)>& allowed,
                                          bool& truncated);

 private:
  const SourceConfig& sourceConfig(const std::string& name) const;
  /// `ref` ("" = latest) resolved, after the checks every browsing request makes.
  Revision resolveRef(const SourceConfig& source, const std::string& ref);
  std::shared_ptr<const DeclarationListing> declarations(const SourceConfig& source,
                                                         const Revision& revision);
  void admit(const Caller& caller, const SourceConfig& source);
  std::shared_ptr<const PackageList> listing(const SourceConfig& source,
                                             const std::string& revision,
                                             const std::string& packageSet);

  Deps deps_;
  BoundedCache<std::string, std::shared_ptr<const PackageList>> cache_;
  SingleFlight<std::shared_ptr<const PackageList>> flights_;
  std::mutex evaluating_;  ///< one listing evaluation at a time: nixpkgs takes GBs
  /// Declared images by (source, revision): small, so counted in entries.
  BoundedCache<std::string, std::shared_ptr<const DeclarationListing>> declared_;
  SingleFlight<std::shared_ptr<const DeclarationListing>> declaredFlights_;
};

}  // namespace strata
