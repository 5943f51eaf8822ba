#include "image/Manifest.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>

#include <sstream>
#include <stdexcept>

namespace strata {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr ordered() {
  return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string compact(const Object::Ptr& obj) {
  std::ostringstream out;
  obj->stringify(out);
  return out.str();
}

std::string join(const std::vector<std::string>& list, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < list.size(); ++i) out += (i ? sep : "") + list[i];
  return out;
}

}  // namespace

const char* manifestMediaType(ManifestFormat format) {
  return format == ManifestFormat::Oci ? media::kOciManifest : media::kDockerManifest;
}

std::string buildImageConfig(const ImageOrigin& origin, const std::vector<LayerBlob>& layers) {
  auto cfg = ordered();
  cfg->set("created", "1970-01-01T00:00:01Z");
  cfg->set("architecture", origin.arch);
  cfg->set("os", "linux");
  auto inner = ordered();
  Array::Ptr env = new Array();
  env->add("PATH=/bin");
  inner->set("Env", env);
  auto labels = ordered();
  labels->set("dev.strata.packages", join(origin.packages, " "));
  labels->set("dev.strata.source", origin.source);
  labels->set("org.opencontainers.image.revision", origin.revision);
  inner->set("Labels", labels);
  cfg->set("config", inner);
  auto rootfs = ordered();
  rootfs->set("type", "layers");
  Array::Ptr diffIds = new Array();
  for (const auto& l : layers) diffIds->add(l.diffId.str());
  rootfs->set("diff_ids", diffIds);
  cfg->set("rootfs", rootfs);
  return compact(cfg);
}

std::string buildManifest(ManifestFormat format, const std::string& configDigest,
                          std::uint64_t configSize, const std::vector<LayerBlob>& layers,
                          Codec codec) {
  bool oci = format == ManifestFormat::Oci;
  if (!oci && codec != Codec::Gzip)
    throw std::invalid_argument("Docker schema 2 manifests have no zstd layers");
  const char* layerType = !oci                   ? media::kDockerLayerGzip
                          : codec == Codec::Zstd ? media::kOciLayerZstd
                                                 : media::kOciLayerGzip;
  auto m = ordered();
  m->set("schemaVersion", 2);
  m->set("mediaType", manifestMediaType(format));
  auto config = ordered();
  config->set("mediaType", oci ? media::kOciConfig : media::kDockerConfig);
  config->set("digest", configDigest);
  config->set("size", static_cast<Poco::UInt64>(configSize));
  m->set("config", config);
  Array::Ptr list = new Array();
  for (const auto& l : layers) {
    auto d = ordered();
    d->set("mediaType", layerType);
    d->set("digest", l.digest.str());
    d->set("size", static_cast<Poco::UInt64>(l.size));
    list->add(d);
  }
  m->set("layers", list);
  return compact(m);
}

ManifestFormat negotiateManifest(const std::string& accept) {
  double bestQ = 0;
  ManifestFormat best = ManifestFormat::Docker;
  std::stringstream ss(accept);
  for (std::string item; std::getline(ss, item, ',');) {
    std::stringstream parts(item);
    std::string type;
    std::getline(parts, type, ';');
    type = Poco::toLower(Poco::trim(type));
    double q = 1.0;
    for (std::string param; std::getline(parts, param, ';');) {
      param = Poco::trim(param);
      if (param.rfind("q=", 0) == 0) {
        if (!Poco::NumberParser::tryParseFloat(param.substr(2), q)) q = 0;
      }
    }
    ManifestFormat f;
    if (type == media::kOciManifest)
      f = ManifestFormat::Oci;
    else if (type == media::kDockerManifest)
      f = ManifestFormat::Docker;
    else
      continue;
    if (q > bestQ) {  // strictly greater: an earlier type wins ties
      bestQ = q;
      best = f;
    }
  }
  return best;
}

}  // namespace strata
