#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Poco/JSON/Object.h>

#include "config/Config.h"
#include "image/PackageListing.h"
#include "image/PackageMeta.h"
#include "nix/ChildProcess.h"
#include "strata/sdk/closure.h"
#include "util/StorePath.h"

namespace strata {

class Cancellation;

/// A requested package found in the package set.
struct ResolvedPackage {
  std::string requested;  ///< as asked for ("python3packages.requests")
  std::string attr;       ///< exact attribute path ("python3Packages.requests")
  std::string outPath;    ///< output path it will build to
  PackageMeta meta;
};

struct Resolution {
  std::vector<ResolvedPackage> found;
  std::vector<std::string> missing;      ///< no such attribute
  std::vector<std::string> notPackages;  ///< attribute exists but is not a derivation
  /// The requested names that are declared images, each with its
  /// declaration as strata.nix describes it (JSON, unchecked:
  /// parseDeclaration). Such a name is no package.
  std::vector<std::pair<std::string, std::string>> declared;
};

/// A package set and all its evaluation may read (Nix's restrict-eval): its
/// own folder or file, and the source's allowedPaths. Not the data folder,
/// the signing key, other sources or any secret of the server.
struct PackageSet {
  std::string path;  ///< absolute: the folder or file Nix imports
  std::vector<std::string> allowedPaths;
  std::string imagesAttribute = "images";  ///< where it declares images
};

using Deadline = std::chrono::steady_clock::time_point;
using LogSink = std::function<void(const std::string&)>;

/// Drives the Nix command line tools as child processes. Request data reaches
/// Nix only as --argstr values read by builtins.fromJSON in strata.nix.
class NixDriver {
 public:
  /// `stop`, when set, ends every Nix command early (the server is
  /// stopping): they then throw Error(ShuttingDown).
  explicit NixDriver(NixConfig config, const Cancellation* stop = nullptr);

  /// Looks the names up in the package set (exact attribute path, else the
  /// case-insensitive match); a name of a declared image is that image
  /// (Resolution::declared), not a package. Throws
  /// Error(BuildFailed/BuildTimeout) when Nix cannot evaluate the set.
  Resolution resolve(const PackageSet& packageSet, const std::vector<std::string>& names,
                     const std::string& system, Deadline deadline, const LogSink& log = {}) const;

  /// Builds exact attribute paths, and the contents of a declared image
  /// named among them. Throws Error(BuildFailed/BuildTimeout) with the last
  /// lines of the Nix log as detail.
  void build(const PackageSet& packageSet, const std::vector<std::string>& attrs,
             const std::string& system, Deadline deadline, const LogSink& log = {}) const;

  /// Every image the package set declares, unbuilt, as strata.nix describes
  /// them (a JSON object by name: parseDeclarations).
  std::string declaredImages(const PackageSet& packageSet, const std::string& system,
                             Deadline deadline) const;

  /// At most this many packages are listed; strings are cut to these sizes
  /// (bytes, whole UTF-8 characters): attribute path, name, version, description.
  static constexpr std::size_t kMaxPackages = 50000;
  static constexpr std::size_t kMaxAttrBytes = 256;
  static constexpr std::size_t kMaxNameBytes = 128;
  static constexpr std::size_t kMaxVersionBytes = 64;
  static constexpr std::size_t kMaxDescriptionBytes = 500;
  /// Nested sets (with recurseForDerivations) are entered down to this depth.
  static constexpr int kMaxPackageDepth = 3;

  /// Lists the packages of a package set (strata.nix's `listing`), evaluated with the
  /// same isolation as resolve(). Throws Error(BuildFailed/BuildTimeout) when
  /// Nix cannot evaluate the set.
  PackageList listPackages(const PackageSet& packageSet, const std::string& system,
                           Deadline deadline) const;

  /// Reads the answer of strata.nix's `listing`: entries of the wrong shape are left
  /// out, strings cut to the limits above, sorted by attribute path.
  static PackageList parsePackageList(const std::string& json);

  /// The runtime closure of the given output paths, read from `nix path-info`.
  sdk::ClosureGraph closure(const std::vector<std::string>& outPaths, Deadline deadline) const;
  /// The same when every output path is already valid in the store (so is
  /// its closure): a cache hit then needs no nix-build. Nullopt when Nix
  /// does not answer with one (a path not valid, or any other failure, which
  /// the build that follows reports).
  std::optional<sdk::ClosureGraph> closureIfValid(const std::vector<std::string>& outPaths,
                                                  Deadline deadline) const;

  static std::string systemFor(const std::string& arch);

  /// How Nix runs, for the start-up log: "on the store directly",
  /// "through the nix-daemon as nobody".
  std::string describe() const;

  /// The version of the Nix in nix.binDir (or PATH), as it says
  /// ("2.8.0"), asked once; "unknown" when it does not answer.
  std::string version() const;

  /// The minimum Nix version a package set's evaluation error asks for
  /// (nixpkgs' "requires Nix >= 2.18"), or "" when it asks for none.
  static std::string requiredNixVersion(const std::string& errorText);

  /// Reads the `meta` answer of strata.nix for one package; anything of the
  /// wrong shape is left out rather than refused.
  static PackageMeta parseMeta(const Poco::JSON::Object::Ptr& meta);

  /// Parses the JSON of `nix path-info --json -r`, checking that it is a closed
  /// graph of well-formed store paths (Nix output is input too).
  static sdk::ClosureGraph parsePathInfo(const std::string& json,
                                         const std::vector<std::string>& roots);

 private:
  std::vector<std::string> commonArgs(const PackageSet& packageSet,
                                      const std::vector<std::string>& names,
                                      const std::string& system) const;
  /// Runs nix-instantiate --eval --strict --json -A `attr`; throws as resolve.
  std::string evaluate(const PackageSet& packageSet, const std::vector<std::string>& names,
                       const std::string& system, const std::string& attr, Deadline deadline,
                       const LogSink& log, const std::vector<std::string>& extraArgs = {}) const;
  /// Runs nix path-info --json -r on the paths.
  ChildResult pathInfo(const std::vector<std::string>& outPaths, Deadline deadline) const;
  NixConfig config_;
  const Cancellation* stop_ = nullptr;
  ChildOptions childBase_;  ///< what every Nix command runs with (daemon, user)
  std::string runsAs_;
  std::string program(const std::string& name) const;
  mutable std::once_flag versionAsked_;
  mutable std::string version_;
  std::string expression_;
};

/// The last `lines` lines of a log, for error details.
std::string lastLines(const std::string& log, std::size_t lines);

}  // namespace strata
