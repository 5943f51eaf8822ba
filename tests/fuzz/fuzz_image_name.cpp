// Image names and references as clients send them: "name[:tag]" (pins,
// builds ahead, `strata admin build`), "name@digest", and the request paths
// that carry them (/v2/<name>/manifests/<reference>). The grammar checks are
// compared with the distribution spec's regular expressions, and a name the
// grammar accepts must route to the manifest and blob handlers unchanged.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "FuzzCheck.h"
#include "http/Route.h"
#include "http/RouteTable.h"
#include "http/Routes.h"
#include "image/ImageName.h"
#include "util/Digest.h"
#include "util/Error.h"

namespace strata {
namespace {

using fuzz::check;

SourceConfig source(std::string name, std::string prefix) {
  SourceConfig s;
  s.name = std::move(name);
  s.prefix = std::move(prefix);
  s.type = "path";
  s.path = "/nonexistent";
  return s;
}

/// Two registries: one where every name has a source (a source with prefix
/// ""), one where unknown prefixes are refused.
std::vector<std::vector<SourceConfig>> registries() {
  SourceConfig demo = source("demo", "demo");
  demo.metaPackages["shell"] = {"busybox"};
  SourceConfig acme = source("acme", "acme");
  acme.metaPackages["shell"] = {"bashInteractive", "coreutils"};
  acme.metaPackages["empty"] = {};
  acme.alwaysInclude = {"cacert"};
  acme.platforms = {"x86_64-linux", "aarch64-linux"};
  SourceConfig tools = source("acme-tools", "acme/tools");
  tools.platforms = {"aarch64-linux"};
  SourceConfig fallback = source("default", "");
  return {{demo, acme, tools}, {demo, acme, tools, fallback}};
}

// The spec's expressions, written independently of ImageName.cpp's scanner.
bool specName(const std::string& name) {
  static const std::regex re(
      "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
  return name.size() <= 255 && std::regex_match(name, re);
}

bool specTag(const std::string& tag) {
  static const std::regex re("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  return std::regex_match(tag, re);
}

bool isPlatformArch(const std::string& a) {
  return a == "amd64" || a == "arm64";
}

void checkRequest(const ImageRequest& req, const std::string& name,
                  const std::vector<SourceConfig>& sources) {
  check(req.name == name, "the request keeps the name", name);
  auto src = std::find_if(sources.begin(), sources.end(),
                          [&](const SourceConfig& s) { return s.name == req.source; });
  check(src != sources.end(), "the request names a configured source", req.source);
  check(routeToSource(name, sources) == &*src, "parseImageName and routeToSource agree", name);
  check(!req.packages.empty(), "a parsed name asks for packages", name);
  check(std::is_sorted(req.packages.begin(), req.packages.end()) &&
            std::adjacent_find(req.packages.begin(), req.packages.end()) == req.packages.end(),
        "packages are sorted and unique", name);
  for (const auto& p : req.packages) check(p != "arm64", "arm64 is never a package", name);
  check(!req.platforms.empty(), "a request has a platform", name);
  check(req.arch == req.platforms.front(), "arch is the first platform", name);
  for (const auto& a : req.platforms) check(isPlatformArch(a), "platforms are amd64/arm64", a);
  ImageRequest one = req.forPlatform(req.platforms.back());
  check(!one.isIndex() && one.arch == req.platforms.back(), "forPlatform gives one platform");
}

void checkRouting(const std::string& name, const std::string& tag) {
  const RouteTable& routes = serverRoutes();
  auto route = [&](const std::string& uri) {
    auto target = parseRequestTarget(uri);
    return routes.find("GET", target.segments);
  };
  auto m = route("/v2/" + name + "/manifests/" + tag);
  check(m.result == RouteTable::Match::Result::Found && m.route != nullptr &&
            std::string(m.route->name) == "manifest",
        "a valid name and tag route to the manifest handler", name + ":" + tag);
  check(m.params["name"] == name && m.params["reference"] == tag,
        "the manifest route passes the name and tag unchanged", name + ":" + tag);
  std::string digest = "sha256:" + std::string(64, 'a');
  auto b = route("/v2/" + name + "/blobs/" + digest);
  check(b.result == RouteTable::Match::Result::Found && b.route != nullptr &&
            std::string(b.route->name) == "blob" && b.params["name"] == name &&
            b.params["digest"] == digest,
        "a valid name routes to the blob handler", name);
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata;
  using fuzz::check;
  static const auto kRegistries = registries();
  const std::string input(fuzz::asText(data, size));

  // "name@sha256:…": the digest part must be exactly what Digest accepts.
  if (auto at = input.find('@'); at != std::string::npos) {
    std::string text = input.substr(at + 1);
    auto digest = Digest::parse(text);
    bool wellFormed = text.size() == 71 && text.compare(0, 7, "sha256:") == 0 &&
                      std::all_of(text.begin() + 7, text.end(), [](char c) {
                        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                      });
    check(digest.has_value() == wellFormed, "Digest::parse accepts exactly sha256:<64 hex>", text);
    if (digest) check(digest->str() == text, "a digest prints as it was parsed", text);
  }

  NameAndTag ref = splitNameAndTag(input);
  if (input.find(':') == std::string::npos)
    check(ref.name == input && ref.tag == "latest", "no ':' means tag latest", input);
  else
    check(ref.name + ":" + ref.tag == input && ref.tag.find(':') == std::string::npos,
          "name and tag split at the last ':'", input);

  bool validName = isValidRepositoryName(ref.name);
  check(validName == specName(ref.name), "isValidRepositoryName follows the spec", ref.name);
  bool validTag = isValidTag(ref.tag);
  check(validTag == specTag(ref.tag), "isValidTag follows the spec", ref.tag);

  for (const auto& sources : kRegistries) {
    try {
      ImageRequest req = parseImageName(ref.name, sources);
      check(validName, "only valid names parse", ref.name);
      checkRequest(req, ref.name, sources);
    } catch (const Error& e) {
      check(e.kind() == (validName ? ErrorKind::UnknownName : ErrorKind::InvalidName),
            "an invalid name is InvalidName, a valid one at most UnknownName", ref.name);
    }
    if (const SourceConfig* src = routeToSource(ref.name, sources)) {
      const std::string& p = src->prefix;
      check(p.empty() || ref.name == p ||
                (ref.name.compare(0, p.size(), p) == 0 && ref.name.size() > p.size() &&
                 ref.name[p.size()] == '/'),
            "a source's prefix matches whole components", ref.name);
    }
  }

  if (validName && validTag) checkRouting(ref.name, ref.tag);

  // Any request target: parsing refuses with BadRequest or gives segments
  // that the route table can always answer for.
  try {
    auto target = parseRequestTarget(input);
    auto m = serverRoutes().find("GET", target.segments);
    check(m.result != RouteTable::Match::Result::Found || m.route != nullptr,
          "a found route is a route", input);
  } catch (const Error& e) {
    check(e.kind() == ErrorKind::BadRequest, "a malformed request target is a BadRequest", input);
  }
  return 0;
}
