// The output of `nix path-info --json -r` (NixDriver::parsePathInfo): a list
// of objects with "path" (Nix up to 2.18) or an object keyed by path (later).
// Nix output is input too: what parses must be a closed graph of well-formed
// store paths, and it must survive being stored (meta/ClosureJson).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "FuzzCheck.h"
#include "meta/ClosureJson.h"
#include "nix/NixDriver.h"

namespace strata {
namespace {

using fuzz::check;

bool isHexNarHash(const std::string& h) {
  return h.size() == 71 && h.compare(0, 7, "sha256:") == 0 &&
         std::all_of(h.begin() + 7, h.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void checkGraph(const sdk::ClosureGraph& g, const std::vector<std::string>& roots,
                const std::string& json) {
  std::vector<std::string> paths;
  for (const auto& p : g.paths) paths.push_back(p.path);
  check(std::is_sorted(paths.begin(), paths.end()) &&
            std::adjacent_find(paths.begin(), paths.end()) == paths.end(),
        "paths are sorted and unique", json);
  for (const auto& p : g.paths) {
    check(isStorePath(p.path), "every path is a store path", p.path);
    check(p.narHash.empty() || isHexNarHash(p.narHash), "NAR hashes are sha256:<64 hex>",
          p.narHash);
    check(std::is_sorted(p.references.begin(), p.references.end()) &&
              std::adjacent_find(p.references.begin(), p.references.end()) == p.references.end(),
          "references are sorted and unique", p.path);
    for (const auto& r : p.references) {
      check(r != p.path, "a path never refers to itself", p.path);
      check(std::binary_search(paths.begin(), paths.end(), r), "the closure is closed", r);
    }
  }
  std::vector<std::string> wanted = roots;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  check(g.roots == wanted, "the roots are the requested ones, sorted", json);

  sdk::ClosureGraph back = closureFromJson(closureToJson(g));
  check(back.roots == g.roots && back.paths.size() == g.paths.size(),
        "a closure survives being stored", json);
  for (std::size_t i = 0; i < g.paths.size(); ++i) {
    const auto &a = g.paths[i], &b = back.paths[i];
    check(a.path == b.path && a.narSize == b.narSize && a.narHash == b.narHash &&
              a.references == b.references,
          "a stored path reads back the same", a.path);
  }
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata;
  const std::string json(fuzz::asText(data, size));
  sdk::ClosureGraph all;
  try {
    all = NixDriver::parsePathInfo(json, {});
  } catch (const std::exception&) {
    return 0;  // NixDriver::closure turns any of these into Error(BuildFailed)
  }
  checkGraph(all, {}, json);
  if (all.paths.empty()) return 0;

  // Roots: the first and last path (a package and its deepest dependency),
  // then one outside the closure, which must be refused.
  std::vector<std::string> roots = {all.paths.back().path, all.paths.front().path};
  sdk::ClosureGraph rooted = NixDriver::parsePathInfo(json, roots);
  checkGraph(rooted, roots, json);
  const std::string outside = "/nix/store/00000000000000000000000000000000-not-there";
  bool inside = std::any_of(all.paths.begin(), all.paths.end(),
                            [&](const sdk::StorePath& p) { return p.path == outside; });
  bool refused = false;
  try {
    NixDriver::parsePathInfo(json, {outside});
  } catch (const std::exception&) {
    refused = true;
  }
  fuzz::check(refused != inside, "a root outside the closure is refused", json);
  return 0;
}
