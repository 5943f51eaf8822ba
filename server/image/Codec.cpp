#include "image/Codec.h"

#include <stdexcept>

namespace strata {

Codec parseCodec(const std::string& name) {
  if (name == "gzip") return Codec::Gzip;
  if (name == "zstd") return Codec::Zstd;
  throw std::invalid_argument("unknown compression '" + name + "' (known: gzip, zstd)");
}

const char* codecName(Codec codec) {
  return codec == Codec::Zstd ? "zstd" : "gzip";
}

}  // namespace strata
