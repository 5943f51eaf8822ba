#include "image/Manifest.h"

#include <algorithm>
#include <map>

#include "image/JsonText.h"

#include <Poco/Ascii.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/String.h>

#include <sstream>
#include <stdexcept>
#include <string_view>

namespace strata {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

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
  auto cfg = orderedJson();
  cfg->set("created", "1970-01-01T00:00:01Z");
  cfg->set("architecture", origin.arch);
  cfg->set("os", "linux");
  auto inner = orderedJson();
  const ImageDeclaration* declared = origin.declared;
  const ContainerConfig* settings = declared != nullptr ? &declared->config : nullptr;
  auto list = [](const std::vector<std::string>& items) {
    Array::Ptr a = new Array();
    for (const auto& i : items) a->add(i);
    return a;
  };
  auto emptySets = [](const std::vector<std::string>& names) {
    auto o = orderedJson();
    for (const auto& n : names) o->set(n, orderedJson());
    return o;
  };
  if (settings != nullptr) {
    // Without a User of its own, an image that declares one runs as it (by
    // number, which runAsNonRoot can check).
    if (!settings->user.empty())
      inner->set("User", settings->user);
    else if (declared->user)
      inner->set("User",
                 std::to_string(declared->user->uid) + ":" + std::to_string(declared->user->gid));
    if (!settings->exposedPorts.empty())
      inner->set("ExposedPorts", emptySets(settings->exposedPorts));
  }
  std::vector<std::string> env{"PATH=/bin"};
  if (settings != nullptr) {
    bool ownPath = std::any_of(settings->env.begin(), settings->env.end(),
                               [](const std::string& e) { return e.rfind("PATH=", 0) == 0; });
    if (ownPath) env.clear();
    env.insert(env.end(), settings->env.begin(), settings->env.end());
  }
  inner->set("Env", list(env));
  if (settings != nullptr) {
    if (settings->entrypoint) inner->set("Entrypoint", list(*settings->entrypoint));
    if (settings->cmd) inner->set("Cmd", list(*settings->cmd));
    if (!settings->volumes.empty()) inner->set("Volumes", emptySets(settings->volumes));
    if (!settings->workingDir.empty()) inner->set("WorkingDir", settings->workingDir);
  }
  std::map<std::string, std::string> own{{"dev.strata.packages", join(origin.packages, " ")},
                                         {"dev.strata.source", origin.source},
                                         {"org.opencontainers.image.revision", origin.revision}};
  if (declared != nullptr) own["dev.strata.image"] = declared->name;
  auto labels = orderedJson();
  if (settings != nullptr)
    for (const auto& [k, v] : settings->labels)
      if (!own.count(k)) labels->set(k, v);
  // Strata's own labels in the order they always had.
  for (const char* k : {"dev.strata.packages", "dev.strata.source", "dev.strata.image",
                        "org.opencontainers.image.revision"})
    if (own.count(k)) labels->set(k, own[k]);
  inner->set("Labels", labels);
  if (settings != nullptr && !settings->stopSignal.empty())
    inner->set("StopSignal", settings->stopSignal);
  cfg->set("config", inner);
  auto rootfs = orderedJson();
  rootfs->set("type", "layers");
  Array::Ptr diffIds = new Array();
  for (const auto& l : layers) diffIds->add(l.diffId.str());
  rootfs->set("diff_ids", diffIds);
  cfg->set("rootfs", rootfs);
  return compactJson(cfg);
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
  auto m = orderedJson();
  m->set("schemaVersion", 2);
  m->set("mediaType", manifestMediaType(format));
  auto config = orderedJson();
  config->set("mediaType", oci ? media::kOciConfig : media::kDockerConfig);
  config->set("digest", configDigest);
  config->set("size", static_cast<Poco::UInt64>(configSize));
  m->set("config", config);
  Array::Ptr list = new Array();
  for (const auto& l : layers) {
    auto d = orderedJson();
    d->set("mediaType", layerType);
    d->set("digest", l.digest.str());
    d->set("size", static_cast<Poco::UInt64>(l.size));
    if (!l.annotations.empty()) {
      auto annotations = orderedJson();
      for (const auto& [key, value] : l.annotations) annotations->set(key, value);
      d->set("annotations", annotations);
    }
    list->add(d);
  }
  m->set("layers", list);
  return compactJson(m);
}

namespace {

std::string_view trimmed(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

/// Calls `each` for every part of `s` between `separator`s.
template <typename Fn>
void forEachPart(std::string_view s, char separator, Fn each) {
  while (!s.empty()) {
    auto end = s.find(separator);
    each(s.substr(0, end));
    if (end == std::string_view::npos) break;
    s.remove_prefix(end + 1);
  }
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (Poco::Ascii::toLower(a[i]) != Poco::Ascii::toLower(b[i])) return false;
  return true;
}

/// An RFC 9110 qvalue in thousandths: "0" or "1", then up to three decimals
/// ("1" only with zeros). Nullopt for anything else, which the caller takes
/// as a refusal rather than guess (a float parser would take "1e-1", "inf").
std::optional<int> qvalue(std::string_view s) {
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return std::nullopt;
  int q = s[0] == '1' ? 1000 : 0;
  if (s.size() == 1) return q;
  if (s[1] != '.' || s.size() > 5) return std::nullopt;
  int scale = 100;
  for (char c : s.substr(2)) {
    if (c < '0' || c > '9' || (q == 1000 && c != '0')) return std::nullopt;
    q += (c - '0') * scale;
    scale /= 10;
  }
  return q;
}

/// The best of `types` by the client's q-values (an earlier type in `accept`
/// wins ties); nullopt when it accepts none of them.
std::optional<std::size_t> bestAccepted(const std::string& accept,
                                        std::initializer_list<const char*> types) {
  int bestQ = 0;
  std::optional<std::size_t> best;
  forEachPart(accept, ',', [&](std::string_view item) {
    auto semicolon = item.find(';');
    std::string_view type = trimmed(item.substr(0, semicolon));
    std::optional<std::size_t> which;
    std::size_t i = 0;
    for (const char* t : types) {
      if (equalsIgnoringCase(type, t)) which = i;
      ++i;
    }
    if (!which) return;
    int q = 1000;
    if (semicolon != std::string_view::npos)
      forEachPart(item.substr(semicolon + 1), ';', [&](std::string_view param) {
        param = trimmed(param);
        // Parameter names are case-insensitive: "Q=0" refuses as "q=0" does.
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
          q = qvalue(param.substr(2)).value_or(0);
      });
    if (q > bestQ) {  // strictly greater: an earlier type wins ties
      bestQ = q;
      best = which;
    }
  });
  return best;
}

}  // namespace

// Every warm pull by tag negotiates: no streams, no copies.
ManifestFormat negotiateManifest(const std::string& accept) {
  auto best = bestAccepted(accept, {media::kOciManifest, media::kDockerManifest});
  return best == 0u ? ManifestFormat::Oci : ManifestFormat::Docker;
}

std::optional<ManifestFormat> negotiateIndex(const std::string& accept) {
  auto best = bestAccepted(accept, {media::kOciIndex, media::kDockerManifestList});
  if (!best) return std::nullopt;
  return *best == 0u ? ManifestFormat::Oci : ManifestFormat::Docker;
}

const char* indexMediaType(ManifestFormat format) {
  return format == ManifestFormat::Oci ? media::kOciIndex : media::kDockerManifestList;
}

std::string buildIndex(ManifestFormat format, const std::vector<PlatformManifest>& manifests) {
  auto index = orderedJson();
  index->set("schemaVersion", 2);
  index->set("mediaType", indexMediaType(format));
  Array::Ptr list = new Array();
  for (const auto& m : manifests) {
    auto d = orderedJson();
    d->set("mediaType", manifestMediaType(format));
    d->set("digest", m.digest);
    d->set("size", static_cast<Poco::UInt64>(m.size));
    auto platform = orderedJson();
    platform->set("architecture", m.arch);
    platform->set("os", "linux");
    d->set("platform", platform);
    list->add(d);
  }
  index->set("manifests", list);
  return compactJson(index);
}

}  // namespace strata
