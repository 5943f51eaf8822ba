#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

/// A manifest that names another as its `subject` (OCI 1.1), e.g. the SBOM
/// artifact of an image manifest.
struct Referrer {
  std::string subject;       ///< digest of the manifest it refers to
  std::string digest;        ///< of the referring manifest itself
  std::string mediaType;     ///< of the referring manifest
  std::string artifactType;  ///< what it carries, e.g. application/vnd.cyclonedx+json
  std::uint64_t size = 0;
  friend bool operator==(const Referrer&, const Referrer&) = default;
};

/// A built image: the same content in both manifest formats, and the
/// artifacts that refer to them. Or an image index (several platforms): an
/// OCI image index and a Docker manifest list of the images in
/// `platformImages`, with no config, layers or SBOM of its own.
struct ImageRecord {
  std::string cacheKey;
  std::string source;
  std::string revision;
  std::vector<std::string> packages;
  /// A declared image: the packages of its `contents` by pname, sorted (what
  /// grants and policies judge besides `packages`); empty for others.
  std::vector<std::string> contents;
  std::string arch;  ///< "amd64", "arm64"; an index: its platforms, comma-separated
  std::string strategy;
  std::string configDigest;
  std::string ociDigest;
  std::uint64_t ociSize = 0;
  std::string dockerDigest;
  std::uint64_t dockerSize = 0;
  std::int64_t createdAt = 0;
  /// The CycloneDX document; empty for images built before SBOMs (they are
  /// completed on their next pull).
  std::string sbomDigest;
  /// The SBOM's artifact manifests, one per manifest of the image.
  std::vector<Referrer> referrers;
  /// An index: the cache keys of its images, one per platform, in order.
  std::vector<std::string> platformImages;

  bool isIndex() const { return !platformImages.empty(); }
  /// The architectures `arch` names: one, or an index's, in order.
  std::vector<std::string> platforms() const;
  /// `arch` for an index of these architectures.
  static std::string joinPlatforms(const std::vector<std::string>& archs);

  /// Every blob of the image itself: config, both manifests, the SBOM and its
  /// artifact manifests (not the layers).
  std::vector<std::string> ownBlobs() const;
  /// The referrer whose manifest has `digest`, if any.
  const Referrer* referrer(const std::string& digest) const;
};

/// Bytes the record owns on the heap (MemoryBytes.h): its cache cost.
std::size_t heapBytes(const ImageRecord& image);

}  // namespace strata
