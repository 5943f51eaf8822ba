#include "http/RegistryPath.h"

namespace strata {

RegistryPath parseRegistryPath(std::string_view path) {
  RegistryPath r;
  if (path == "/v2" || path == "/v2/") {
    r.kind = RegistryPath::Kind::Base;
    return r;
  }
  constexpr std::string_view kPrefix = "/v2/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return r;
  std::string_view rest = path.substr(kPrefix.size());
  if (rest == "_catalog") {
    r.kind = RegistryPath::Kind::Catalog;
    return r;
  }
  constexpr std::string_view kTags = "/tags/list";
  if (rest.size() > kTags.size() && rest.substr(rest.size() - kTags.size()) == kTags) {
    r.kind = RegistryPath::Kind::Tags;
    r.name = std::string(rest.substr(0, rest.size() - kTags.size()));
    return r;
  }
  // "<name>/blobs/uploads/..." is the push side.
  auto uploads = rest.rfind("/blobs/uploads");
  if (uploads != std::string_view::npos && uploads > 0) {
    auto after = rest.substr(uploads + 14);
    if (after.empty() || after.front() == '/') {
      r.kind = RegistryPath::Kind::Upload;
      r.name = std::string(rest.substr(0, uploads));
      return r;
    }
  }
  for (auto [keyword, kind] :
       {std::pair{std::string_view("/manifests/"), RegistryPath::Kind::Manifest},
        std::pair{std::string_view("/blobs/"), RegistryPath::Kind::Blob}}) {
    auto pos = rest.rfind(keyword);
    if (pos == std::string_view::npos || pos == 0) continue;
    auto ref = rest.substr(pos + keyword.size());
    if (ref.empty() || ref.find('/') != std::string_view::npos) continue;
    r.kind = kind;
    r.name = std::string(rest.substr(0, pos));
    r.reference = std::string(ref);
    return r;
  }
  // A reference never holds '/', but a percent-encoded one ("sha256:..%2F..")
  // arrives decoded here: route it all the same, so that the handler rejects
  // the reference (DIGEST_INVALID, TAG_INVALID) rather than the endpoint.
  for (auto [keyword, kind] :
       {std::pair{std::string_view("/manifests/"), RegistryPath::Kind::Manifest},
        std::pair{std::string_view("/blobs/"), RegistryPath::Kind::Blob}}) {
    auto pos = rest.find(keyword);
    if (pos == std::string_view::npos || pos == 0 || pos + keyword.size() == rest.size()) continue;
    r.kind = kind;
    r.name = std::string(rest.substr(0, pos));
    r.reference = std::string(rest.substr(pos + keyword.size()));
    return r;
  }
  return r;
}

}  // namespace strata
