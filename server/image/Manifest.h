#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image/Codec.h"
#include "image/Declaration.h"
#include "image/LayerBlob.h"

namespace strata {

enum class ManifestFormat { Oci, Docker };

namespace media {
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr const char* kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
}  // namespace media

const char* manifestMediaType(ManifestFormat format);
/// The media type of an image index in that format: an OCI image index or a
/// Docker manifest list.
const char* indexMediaType(ManifestFormat format);

/// One platform's manifest in an image index.
struct PlatformManifest {
  std::string arch;  ///< "amd64" or "arm64"; the OS is linux
  std::string digest;
  std::uint64_t size = 0;
};

/// An OCI image index or a Docker manifest list of `manifests` (OCI or
/// Docker schema 2 manifests, as `format` says), in the given order.
std::string buildIndex(ManifestFormat format, const std::vector<PlatformManifest>& manifests);

/// What the image config says about where the image came from.
struct ImageOrigin {
  std::string arch;  ///< "amd64" or "arm64"
  std::string source;
  std::string revision;
  std::vector<std::string> packages;
  /// A declared image: its settings (docs/images.md); null for others.
  const ImageDeclaration* declared = nullptr;
};

/// The image config: no timestamps but a fixed one, keys in a fixed order, so
/// equal inputs give equal bytes. A declared image's settings go in; its
/// labels never replace Strata's own.
std::string buildImageConfig(const ImageOrigin& origin, const std::vector<LayerBlob>& layers);

/// `codec` Zstd is only valid with ManifestFormat::Oci (Docker schema 2 has no
/// zstd layer type); throws std::invalid_argument otherwise.
std::string buildManifest(ManifestFormat format, const std::string& configDigest,
                          std::uint64_t configSize, const std::vector<LayerBlob>& layers,
                          Codec codec = Codec::Gzip);

/// Picks the manifest format from an Accept header: the first acceptable type
/// in the client's order of preference (q-values honoured); Docker schema 2
/// when the header names neither (old clients, curl).
ManifestFormat negotiateManifest(const std::string& accept);

/// The index format a client accepts (OCI image index or Docker manifest
/// list, the first in its order of preference); nullopt when it accepts
/// neither, as old clients do: they get one platform's manifest.
std::optional<ManifestFormat> negotiateIndex(const std::string& accept);

}  // namespace strata
