#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image/ImageRecord.h"
#include "image/Manifest.h"

namespace strata {

namespace media {
inline constexpr const char* kOciEmpty = "application/vnd.oci.empty.v1+json";
}  // namespace media

/// The empty JSON object an artifact without a config points at (OCI 1.1).
inline constexpr const char* kEmptyJson = "{}";
/// sha256 of kEmptyJson.
inline constexpr const char* kEmptyJsonDigest =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

struct Descriptor {
  std::string mediaType;
  std::string digest;
  std::uint64_t size = 0;
};

/// An OCI 1.1 artifact manifest: `artifactType`, the empty config, one layer
/// holding `blob`, and `subject` as the manifest it is about.
std::string buildArtifactManifest(const std::string& artifactType, const Descriptor& blob,
                                  const Descriptor& subject);

/// The answer of the referrers API: an OCI image index listing `referrers`
/// (possibly none) with their artifact types.
std::string buildReferrersIndex(const std::vector<Referrer>& referrers);

}  // namespace strata
