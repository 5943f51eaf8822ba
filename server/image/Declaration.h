#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "image/PackageMeta.h"

namespace strata {

/// The container settings an image declaration may give, as in
/// dockerTools.buildLayeredImage's `config`. Unset fields stay out of the
/// image config.
struct ContainerConfig {
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;  ///< "KEY=VALUE", in the declared order
  std::string workingDir;
  std::string user;
  std::vector<std::string> exposedPorts;  ///< "8080/tcp", sorted
  std::map<std::string, std::string> labels;
  std::vector<std::string> volumes;  ///< absolute paths, sorted
  std::string stopSignal;
};

/// The account a declared image runs as: Strata writes /etc/passwd,
/// /etc/group and its home folder into a layer of the image.
struct ImageUser {
  std::string name;
  unsigned uid = 0;
  unsigned gid = 0;
  std::string home() const { return "/home/" + name; }
};

/// One package of a declaration's `contents`.
struct DeclaredPackage {
  std::string name;     ///< pname (or the name without its version)
  std::string outPath;  ///< a store path
  PackageMeta meta;
};

/// An image a package set declares in its images attribute (docs/images.md).
struct ImageDeclaration {
  std::string name;  ///< its attribute name
  std::vector<DeclaredPackage> contents;
  ContainerConfig config;
  std::optional<ImageUser> user;

  /// The names grants and policies see: those of the contents, sorted.
  std::vector<std::string> packageNames() const;
  /// Every store path the config names (in Entrypoint, Cmd, Env,
  /// WorkingDir): each must be in the image.
  std::vector<std::string> storePathsNamed() const;
};

/// Checks a declaration as strata.nix describes it (its `describeDeclaration`)
/// and makes it typed. The package set is untrusted: throws
/// Error(BuildFailed) naming the image and the key for anything unknown, of
/// the wrong type or out of range.
ImageDeclaration parseDeclaration(const std::string& json);

/// The same for every declaration of the images attribute, by name; a
/// declaration that fails the checks is given with its error instead.
struct DeclarationListing {
  std::vector<ImageDeclaration> images;
  std::vector<std::pair<std::string, std::string>> invalid;  ///< name, error
};
DeclarationListing parseDeclarations(const std::string& json);

/// Bytes the listing owns on the heap (MemoryBytes.h): its cache cost.
std::size_t heapBytes(const DeclarationListing& listing);

}  // namespace strata
