#pragma once

#include <string>

namespace strata {

/// How layer blobs are compressed.
enum class Codec {
  Gzip,  ///< application/vnd.oci.image.layer.v1.tar+gzip, every client
  Zstd,  ///< application/vnd.oci.image.layer.v1.tar+zstd, OCI clients that support it
};

/// Parses "gzip" / "zstd"; throws std::invalid_argument otherwise.
Codec parseCodec(const std::string& name);
const char* codecName(Codec codec);

}  // namespace strata
