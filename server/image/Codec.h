#pragma once

#include <string>

namespace strata {

/// How layer blobs are compressed.
enum class Codec {
  Gzip,  ///< application/vnd.oci.image.layer.v1.tar+gzip, every client
  Zstd,  ///< application/vnd.oci.image.layer.v1.tar+zstd, OCI clients that support it
};

/// What an image's layers hold.
enum class ImageFormat {
  Layers,          ///< the closure's store paths, in layers, and the root's symlinks
  NixSnapshotter,  ///< for containerd's nix-snapshotter: mount points and symlinks only
};

/// Parses "layers" / "nix-snapshotter"; throws std::invalid_argument otherwise.
ImageFormat parseImageFormat(const std::string& name);
const char* imageFormatName(ImageFormat format);

/// Parses "gzip" / "zstd"; throws std::invalid_argument otherwise.
Codec parseCodec(const std::string& name);
const char* codecName(Codec codec);

}  // namespace strata
