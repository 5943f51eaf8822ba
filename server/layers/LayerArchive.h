#pragma once

#include <string>
#include <vector>

#include "image/Declaration.h"
#include "layers/TarWriter.h"

namespace strata {

/// Writes store paths, as they are on this machine's disk, into a tar:
/// "nix/" and "nix/store/" first, then each path depth-first with the entries
/// of every directory in byte order. Files, directories and symlinks only;
/// anything else in the store is an error.
void writeStorePaths(TarWriter& tar, const std::vector<std::string>& storePaths);

/// Writes the file, directory or symlink at `path` as `name`, a directory's
/// entries after it depth-first in byte order, without ending the archive:
/// writeStorePaths for one tree anywhere (tests/fuzz/ writes made-up trees).
void writeTree(TarWriter& tar, const std::string& name, const std::string& path);

/// Writes the layer that makes the packages visible at "/": for each of bin,
/// lib, share and etc of every root (in the given order; the first package
/// providing a name wins), real directories merged across packages and
/// symlinks to the files inside the store, as nixpkgs' symlinkJoin does. A
/// top-level folder that is a symlink is followed only to a folder of the
/// package itself or of the store, never into the build host's tree.
void writeSymlinkTree(TarWriter& tar, const std::vector<std::string>& roots);

/// Writes the one layer of a nix-snapshotter image: "nix/", "nix/store/" and
/// an empty directory for each store path (the mount points the snapshotter
/// bind-mounts the store paths on), then the symlinks of writeSymlinkTree.
void writeNixSnapshotterRoot(TarWriter& tar, const std::vector<std::string>& storePaths,
                             const std::vector<std::string>& roots);

/// Writes the layer Strata makes for a declared image (docs/images.md):
/// /etc/passwd and /etc/group with root, nobody and the image's user, the
/// user's home folder owned by it, the working folder (owned by the user when
/// there is one) and /tmp. Equal inputs give equal bytes.
void writeImageAccounts(TarWriter& tar, const ImageUser* user, const std::string& workingDir);

}  // namespace strata
