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

ImageFormat parseImageFormat(const std::string& name) {
  if (name == "layers") return ImageFormat::Layers;
  if (name == "nix-snapshotter") return ImageFormat::NixSnapshotter;
  throw std::invalid_argument("unknown image format '" + name +
                              "' (known: layers, nix-snapshotter)");
}

const char* imageFormatName(ImageFormat format) {
  return format == ImageFormat::NixSnapshotter ? "nix-snapshotter" : "layers";
}

}  // namespace strata
