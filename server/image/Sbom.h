#pragma once

#include <string>
#include <vector>

#include "image/PackageMeta.h"
#include "strata/sdk/closure.h"

namespace strata {

namespace media {
inline constexpr const char* kCycloneDxJson = "application/vnd.cyclonedx+json";
}  // namespace media

/// A package the image was asked for: a top component of its SBOM.
struct SbomPackage {
  std::string attr;     ///< attribute path in the package set
  std::string outPath;  ///< its output path, one of the closure's roots
  PackageMeta meta;
};

/// Everything an image's SBOM says, all of it part of the image's cache key
/// or fixed by it, so that the document is as reproducible as the image.
struct SbomInput {
  std::string source;
  std::string revision;
  std::string arch;
  std::vector<std::string> packages;  ///< as in the image's name
  std::vector<SbomPackage> requested;
  const sdk::ClosureGraph* closure = nullptr;
};

/// The CycloneDX 1.5 JSON document of an image: one component per store path
/// (name and version from the store path's name, its NAR hash and size), the
/// requested packages as the image's direct dependencies with what their
/// `meta` says, and the store references as dependencies. No timestamp; the
/// serial number is derived from the content.
std::string buildSbom(const SbomInput& input);

/// Nix's split of a store path's name ("hello-2.12.1") into a name and a
/// version: the version starts at the first '-' followed by a non-letter;
/// none when there is no such '-'.
struct NameAndVersion {
  std::string name;
  std::string version;
};
NameAndVersion splitStorePathName(const std::string& storePath);

}  // namespace strata
