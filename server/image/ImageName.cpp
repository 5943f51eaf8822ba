#include "image/ImageName.h"

#include <algorithm>
#include <set>

#include "util/Error.h"

namespace strata {
namespace {

bool isAlnumLower(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool isValidComponent(std::string_view c) {
  if (c.empty() || !isAlnumLower(c.front()) || !isAlnumLower(c.back())) return false;
  std::size_t i = 0;
  while (i < c.size()) {
    if (isAlnumLower(c[i])) {
      ++i;
      continue;
    }
    // A separator run: ".", "_", "__" or one or more "-".
    std::size_t j = i;
    while (j < c.size() && !isAlnumLower(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              std::all_of(sep.begin(), sep.end(), [](char x) { return x == '-'; });
    if (!ok) return false;
    i = j;
  }
  return true;
}

std::vector<std::string_view> splitComponents(std::string_view name) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto slash = name.find('/', start);
    out.push_back(name.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

bool isValidRepositoryName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (auto component : splitComponents(name))
    if (!isValidComponent(component)) return false;
  return true;
}

bool isValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (!first && (c == '.' || c == '-'));
  };
  for (std::size_t i = 0; i < tag.size(); ++i)
    if (!ok(tag[i], i == 0)) return false;
  return true;
}

const SourceConfig* routeToSource(std::string_view name, const std::vector<SourceConfig>& sources) {
  const SourceConfig* best = nullptr;
  for (const auto& src : sources) {
    const std::string& p = src.prefix;
    bool matches =
        p.empty() || name == p ||
        (name.size() > p.size() && name.substr(0, p.size()) == p && name[p.size()] == '/');
    if (matches && (best == nullptr || p.size() > best->prefix.size())) best = &src;
  }
  return best;
}

NameAndTag splitNameAndTag(std::string_view reference) {
  auto colon = reference.rfind(':');
  if (colon == std::string_view::npos) return {std::string(reference), "latest"};
  return {std::string(reference.substr(0, colon)), std::string(reference.substr(colon + 1))};
}

ImageRequest parseImageName(std::string_view name, const std::vector<SourceConfig>& sources) {
  if (!isValidRepositoryName(name))
    throw Error(ErrorKind::InvalidName,
                "invalid repository name: components must be lowercase letters and digits "
                "separated by '.', '_', '__' or '-'");
  const SourceConfig* src = routeToSource(name, sources);
  if (src == nullptr)
    throw Error(ErrorKind::UnknownName, "no package source serves '" + std::string(name) + "'");

  std::string_view rest = name.substr(src->prefix.size());
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);

  ImageRequest req;
  req.name = std::string(name);
  req.source = src->name;
  std::set<std::string> packages;
  bool any = false, armSelected = false;
  if (!rest.empty()) {
    for (auto component : splitComponents(rest)) {
      any = true;
      std::string c(component);
      if (c == "arm64") {
        armSelected = true;
        continue;
      }
      auto meta = src->metaPackages.find(c);
      if (meta != src->metaPackages.end()) {
        packages.insert(meta->second.begin(), meta->second.end());
        continue;
      }
      packages.insert(c);
    }
  }
  if (!any || (packages.empty() && src->alwaysInclude.empty()))
    throw Error(ErrorKind::UnknownName, "'" + std::string(name) +
                                            "' names no packages: add package names after the "
                                            "source prefix, e.g. '" +
                                            (src->prefix.empty() ? "" : src->prefix + "/") +
                                            "shell'");
  packages.insert(src->alwaysInclude.begin(), src->alwaysInclude.end());
  req.packages.assign(packages.begin(), packages.end());
  req.platforms.clear();
  if (armSelected)
    req.platforms.push_back("arm64");
  else
    for (const auto& system : src->platforms) req.platforms.push_back(archOfSystem(system));
  req.arch = req.platforms.front();
  return req;
}

ImageRequest ImageRequest::forPlatform(const std::string& platformArch) const {
  ImageRequest one = *this;
  one.arch = platformArch;
  one.platforms = {platformArch};
  return one;
}

}  // namespace strata
