#include "catalog/SourceBrowser.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <utility>

#include "auth/AccessGate.h"
#include "config/Config.h"
#include "image/ImageName.h"
#include "nix/NixDriver.h"
#include "sources/PackageSource.h"
#include "util/CacheBudget.h"
#include "util/Error.h"
#include "util/Utf8.h"

namespace strata {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// 0: exact attribute path or name; 1: either starts with q; 2: q elsewhere;
/// -1: no match.
int rank(const PackageEntry& p, const std::string& q) {
  if (q.empty()) return 2;
  std::string attr = lower(p.attr), name = lower(p.name);
  if (attr == q || name == q) return 0;
  if (startsWith(name, q) || startsWith(attr, q)) return 1;
  if (attr.find(q) != std::string::npos || name.find(q) != std::string::npos ||
      lower(p.description).find(q) != std::string::npos)
    return 2;
  return -1;
}

}  // namespace

SourceBrowser::SourceBrowser(Deps deps)
    : deps_(deps),
      cache_(MemoryBudget{CacheBudget::ofMiB(deps.config.cache.memoryMiB).packageLists},
             [](const std::shared_ptr<const PackageList>& list) { return heapBytes(*list); }),
      declared_(MemoryBudget{CacheBudget::ofMiB(deps.config.cache.memoryMiB).declarations},
                [](const std::shared_ptr<const DeclarationListing>& listing) {
                  return heapBytes(*listing);
                }) {}

const SourceConfig& SourceBrowser::sourceConfig(const std::string& name) const {
  return deps_.sources.get(name).config();  // Error(UnknownName) naming it
}

void SourceBrowser::admit(const Caller& caller, const SourceConfig& source) {
  if (!deps_.access) return;
  deps_.access->authorizeSource(caller, source.name);
  if (deps_.access->hasPolicies()) {
    std::string arch = source.platforms.empty() ? "amd64" : archOfSystem(source.platforms.front());
    deps_.access->checkPolicies(caller, source.name,
                                sdk::ImageInfo{source.name, {}, "", arch, nullptr});
  }
}

RefsAnswer SourceBrowser::refs(const Caller& caller, const std::string& source) {
  const SourceConfig& config = sourceConfig(source);
  admit(caller, config);
  RefsAnswer answer{config.name, config.type, {}};
  for (auto& r : deps_.sources.get(source).refs()) {
    bool tag = isValidTag(r.name);
    answer.refs.push_back(
        RefInfo{std::move(r.name), std::move(r.kind), std::move(r.revision), tag});
  }
  return answer;
}

void SourceBrowser::checkQuery(const std::string& q) {
  if (q.size() > kMaxQueryBytes)
    throw Error(ErrorKind::BadRequest,
                "the search query q is longer than " + std::to_string(kMaxQueryBytes) + " bytes");
  for (unsigned char c : q)
    if (c < 0x20 || c == 0x7f)
      throw Error(ErrorKind::BadRequest, "the search query q holds a control character");
  if (!isUtf8(q)) throw Error(ErrorKind::BadRequest, "the search query q is not UTF-8");
}

std::vector<PackageEntry> SourceBrowser::search(
    const std::vector<PackageEntry>& all, const std::string& q, std::size_t n,
    const std::function<bool(const PackageEntry&)>& allowed, bool& truncated) {
  std::string needle = lower(q);
  std::vector<std::pair<int, const PackageEntry*>> hits;
  for (const auto& p : all) {
    int r = rank(p, needle);
    if (r >= 0 && (!allowed || allowed(p))) hits.emplace_back(r, &p);
  }
  std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->attr < b.second->attr;
  });
  truncated = hits.size() > n;
  std::vector<PackageEntry> out;
  for (std::size_t i = 0; i < hits.size() && i < n; ++i) out.push_back(*hits[i].second);
  return out;
}

std::shared_ptr<const PackageList> SourceBrowser::listing(const SourceConfig& source,
                                                          const std::string& revision,
                                                          const std::string& packageSet) {
  std::string key = source.name + '\n' + revision;
  if (auto cached = cache_.get(key)) return *cached;
  return flights_.run(key, [&]() -> std::shared_ptr<const PackageList> {
    if (auto cached = cache_.get(key)) return *cached;
    std::lock_guard<std::mutex> one(evaluating_);
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(deps_.config.nix.timeoutSeconds);
    std::string system = source.platforms.empty() ? "x86_64-linux" : source.platforms.front();
    auto started = std::chrono::steady_clock::now();
    auto list = std::make_shared<const PackageList>(
        deps_.nix.listPackages(PackageSet{packageSet, source.allowedPaths}, system, deadline));
    Poco::Logger::get("strata.catalog")
        .information("source '%s': listed %s packages at revision %s in %ld ms%s", source.name,
                     std::to_string(list->packages.size()), revision,
                     static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count()),
                     std::string(list->truncated ? " (truncated)" : ""));
    cache_.put(key, list);
    return list;
  });
}

Revision SourceBrowser::resolveRef(const SourceConfig& source, const std::string& ref) {
  // The sources check refs as pulls do; this keeps what no ref can be out
  // of every message.
  if (ref.size() > 255 ||
      std::any_of(ref.begin(), ref.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
    throw Error(ErrorKind::InvalidTag,
                "invalid ref: a branch, tag or commit name is up to 255 "
                "bytes without control characters");
  return deps_.sources.get(source.name).resolve(ref.empty() ? "latest" : ref);
}

std::shared_ptr<const DeclarationListing> SourceBrowser::declarations(const SourceConfig& source,
                                                                      const Revision& revision) {
  std::string key = source.name + '\n' + revision.id;
  if (auto cached = declared_.get(key)) return *cached;
  return declaredFlights_.run(key, [&]() -> std::shared_ptr<const DeclarationListing> {
    if (auto cached = declared_.get(key)) return *cached;
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(deps_.config.nix.timeoutSeconds);
    std::string system = source.platforms.empty() ? "x86_64-linux" : source.platforms.front();
    PackageSet packageSet{revision.packageSet, source.allowedPaths, source.imagesAttribute};
    auto listing = std::make_shared<const DeclarationListing>(
        parseDeclarations(deps_.nix.declaredImages(packageSet, system, deadline)));
    declared_.put(key, listing);
    return listing;
  });
}

ImagesAnswer SourceBrowser::images(const Caller& caller, const std::string& source,
                                   const std::string& ref) {
  const SourceConfig& config = sourceConfig(source);
  admit(caller, config);
  Revision revision = resolveRef(config, ref);
  auto listing = declarations(config, revision);
  auto mayPull = deps_.access ? deps_.access->pullFilter(caller) : nullptr;
  std::string prefix = config.prefix.empty() ? "" : config.prefix + "/";
  // What a pull of the image would be judged on: its name and its contents.
  auto allowed = [&](const std::string& name, const std::vector<std::string>& contents) {
    if (!mayPull) return true;
    ImageRequest image;
    image.source = config.name;
    image.name = prefix + lower(name);
    image.packages = contents;
    image.packages.push_back(lower(name));
    return mayPull(image);
  };
  ImagesAnswer answer{config.name, config.prefix, ref.empty() ? "latest" : ref, revision.id, {}, {},
                      {}};
  for (const auto& image : listing->images)
    if (allowed(image.name, image.packageNames())) {
      answer.images.push_back(image);
      std::string pull = prefix + lower(image.name);
      answer.pullNames.push_back(isValidRepositoryName(pull) ? pull : "");
    }
  for (const auto& [name, error] : listing->invalid)
    if (allowed(name, {})) answer.invalid.emplace_back(name, error);
  return answer;
}

PackagesAnswer SourceBrowser::packages(const PackageQuery& query) {
  const SourceConfig& config = sourceConfig(query.source);
  admit(query.caller, config);
  checkQuery(query.q);
  std::string ref = query.ref.empty() ? "latest" : query.ref;
  Revision revision = resolveRef(config, ref);
  auto list = listing(config, revision.id, revision.packageSet);

  std::function<bool(const PackageEntry&)> allowed;
  auto mayPull = deps_.access ? deps_.access->pullFilter(query.caller) : nullptr;
  if (mayPull) {
    // What a pull of the package alone would ask for: its name is lowercase.
    std::string prefix = config.prefix.empty() ? "" : config.prefix + "/";
    allowed = [mayPull, prefix, &config](const PackageEntry& p) {
      ImageRequest image;
      image.source = config.name;
      image.packages = {lower(p.attr)};
      image.name = prefix + image.packages.front();
      return mayPull(image);
    };
  }
  PackagesAnswer answer{config.name, ref, revision.id, query.q, {}, false};
  answer.packages =
      search(list->packages, query.q, std::min(query.n, kMaxResults), allowed, answer.truncated);
  answer.truncated = answer.truncated || list->truncated;
  return answer;
}

}  // namespace strata
