// Compares the layering strategies on a dependency graph with realistic sizes:
// the packages installed on this machine, from Debian's package metadata
// (/var/lib/dpkg/status: Depends, Pre-Depends, Provides, Installed-Size).
//
// Every installed package becomes a store path whose NAR size is its
// Installed-Size; the image is the whole graph. For each strategy and layer
// budget it reports the layers, the bytes stored, and the bytes a client
// downloads again after one package in the middle of the graph changes. In
// Nix a changed package changes the store paths of everything that depends on
// it, transitively; a layer is reused only when it holds exactly the same
// store paths (then its tar, and so its digest, is the same).
//
// Then version bumps of deep libraries (libssl3, zlib1g and the three other
// libraries with the most transitive dependents), one at a time, under five
// application images (the top-level packages with the largest, mostly
// distinct closures) and under the whole-system image: layers per image, bytes
// stored (distinct layers of the images) and bytes a client holding the old
// images downloads for the new ones (distinct layers it does not hold), as a
// multiple of the bytes of the store paths that changed; average and worst.
//
// Usage: strata_layering_bench [--status FILE] [--plugins DIR] [--budgets 20,94]
//                              [--changes N]
// Prints a table and FIGURE lines (tests/bench/layering_strategies.sh).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "layers/ClosureStrategy.h"
#include "layers/PopularityStrategy.h"
#include "layers/StrategyRegistry.h"
#include "plugins/PluginHost.h"
#include "plugins/PolicyRegistry.h"
#include "util/Sha256.h"

namespace {

using namespace strata;

struct Package {
  std::string name;
  std::string version;
  std::uint64_t size = 0;             // bytes
  std::vector<std::string> depends;   // raw alternatives groups
  std::vector<std::string> provides;  // virtual names
};

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// "libc6 (>= 2.34)" / "python3:any" / "foo [amd64]" → "libc6" / "python3" / "foo".
std::string bareName(const std::string& item) {
  std::string s = trim(item);
  auto cut = s.find_first_of(" ([<");
  if (cut != std::string::npos) s = s.substr(0, cut);
  auto colon = s.find(':');
  if (colon != std::string::npos) s = s.substr(0, colon);
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, sep);) out.push_back(part);
  return out;
}

std::vector<Package> readStatus(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file);
  std::vector<Package> out;
  std::map<std::string, std::string> fields;
  std::string key;
  auto flush = [&] {
    if (!fields.empty() && fields["Status"].find(" installed") != std::string::npos &&
        !fields["Package"].empty()) {
      Package p;
      p.name = fields["Package"];
      p.version = fields["Version"];
      p.size =
          std::max<std::uint64_t>(1, std::strtoull(fields["Installed-Size"].c_str(), nullptr, 10)) *
          1024;
      for (const char* f : {"Pre-Depends", "Depends"})
        for (const auto& group : split(fields[f], ','))
          if (!trim(group).empty()) p.depends.push_back(group);
      for (const auto& v : split(fields["Provides"], ','))
        if (!bareName(v).empty()) p.provides.push_back(bareName(v));
      out.push_back(std::move(p));
    }
    fields.clear();
  };
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (!key.empty()) fields[key] += "\n" + line;
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    key = line.substr(0, colon);
    fields[key] = trim(line.substr(colon + 1));
  }
  flush();
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) { return a.name == b.name; }),
            out.end());
  return out;
}

/// The dependency graph as a DAG over package indexes (Nix closures have no
/// cycles; Debian's do, so back edges of a depth-first walk in name order are
/// dropped).
struct Graph {
  std::vector<Package> packages;
  std::vector<std::vector<std::size_t>> deps;  // sorted, unique
};

Graph buildGraph(std::vector<Package> packages) {
  Graph g;
  g.packages = std::move(packages);
  const std::size_t n = g.packages.size();
  std::map<std::string, std::size_t> byName, byProvides;
  for (std::size_t i = 0; i < n; ++i) byName[g.packages[i].name] = i;
  for (std::size_t i = 0; i < n; ++i)
    for (const auto& v : g.packages[i].provides) byProvides.emplace(v, i);  // first provider wins
  g.deps.assign(n, {});
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& group : g.packages[i].depends) {
      for (const auto& alt : split(group, '|')) {
        std::string name = bareName(alt);
        auto it = byName.find(name);
        if (it == byName.end()) it = byProvides.find(name);
        if (it == byProvides.end()) continue;  // not installed: try the next alternative
        if (it->second != i) g.deps[i].push_back(it->second);
        break;
      }
    }
    std::sort(g.deps[i].begin(), g.deps[i].end());
    g.deps[i].erase(std::unique(g.deps[i].begin(), g.deps[i].end()), g.deps[i].end());
  }
  // Drop back edges (iterative DFS, states: 0 new, 1 on stack, 2 done).
  std::vector<int> state(n, 0);
  for (std::size_t start = 0; start < n; ++start) {
    if (state[start]) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{start, 0}};
    state[start] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < g.deps[node].size()) {
        std::size_t d = g.deps[node][next];
        if (state[d] == 1) {
          g.deps[node].erase(g.deps[node].begin() + static_cast<std::ptrdiff_t>(next));
          continue;
        }
        ++next;
        if (state[d] == 0) {
          state[d] = 1;
          stack.push_back({d, 0});
        }
      } else {
        state[node] = 2;
        stack.pop_back();
      }
    }
  }
  return g;
}

/// An image: the packages of its closure.
struct Image {
  std::string label;
  std::string description;
  std::vector<bool> in;  // per package
};

/// Transitive dependents of `start` inside the image (itself included).
std::set<std::size_t> dependentsOf(const Graph& g, const Image& image, std::size_t start) {
  std::vector<std::vector<std::size_t>> rev(g.packages.size());
  for (std::size_t i = 0; i < g.deps.size(); ++i)
    if (image.in[i])
      for (auto d : g.deps[i]) rev[d].push_back(i);
  std::set<std::size_t> seen{start};
  std::vector<std::size_t> todo{start};
  while (!todo.empty()) {
    auto p = todo.back();
    todo.pop_back();
    for (auto r : rev[p])
      if (seen.insert(r).second) todo.push_back(r);
  }
  return seen;
}

/// The packages `start` needs, itself included.
std::vector<bool> closureSet(const Graph& g, std::size_t start) {
  std::vector<bool> in(g.packages.size(), false);
  std::vector<std::size_t> todo{start};
  while (!todo.empty()) {
    auto p = todo.back();
    todo.pop_back();
    if (in[p]) continue;
    in[p] = true;
    todo.insert(todo.end(), g.deps[p].begin(), g.deps[p].end());
  }
  return in;
}

/// The image's closure as Nix would report it; `changed` packages get new
/// store paths (their inputs changed).
sdk::ClosureGraph closureOf(const Graph& g, const Image& image,
                            const std::set<std::size_t>& changed,
                            const PopularityData& popularity) {
  const std::size_t n = g.packages.size();
  std::vector<std::string> path(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = g.packages[i];
    std::string inputs = p.name + "-" + p.version + (changed.count(i) ? "#changed" : "");
    path[i] = "/nix/store/" + Sha256::hex(inputs).substr(0, 32) + "-" + p.name + "-" + p.version;
  }
  std::vector<bool> referenced(n, false);
  sdk::ClosureGraph graph;
  for (std::size_t i = 0; i < n; ++i) {
    if (!image.in[i]) continue;
    sdk::StorePath sp;
    sp.path = path[i];
    sp.narSize = g.packages[i].size;
    for (auto d : g.deps[i]) {
      sp.references.push_back(path[d]);
      referenced[d] = true;
    }
    std::sort(sp.references.begin(), sp.references.end());
    graph.paths.push_back(std::move(sp));
  }
  for (std::size_t i = 0; i < n; ++i)
    if (image.in[i] && !referenced[i]) graph.roots.push_back(path[i]);
  std::sort(graph.paths.begin(), graph.paths.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  std::sort(graph.roots.begin(), graph.roots.end());
  popularity.apply(graph);
  return graph;
}

std::string human(double bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << bytes / (1024.0 * 1024.0) << " MiB";
  return out.str();
}

/// Plans the image and its changed versions with every strategy and budget;
/// prints a table and FIGURE lines.
void compare(const Graph& g, const Image& image, StrategyRegistry& strategies,
             const PopularityData& global, const std::vector<std::uint32_t>& budgets,
             std::size_t changes) {
  const std::size_t n = g.packages.size();
  std::size_t paths = 0;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (image.in[i]) {
      ++paths;
      total += g.packages[i].size;
    }
  // The packages to change: those in the middle of the graph (with
  // dependencies and dependents inside the image), ordered by how many
  // packages depend on them, transitively; the `changes` around the median.
  std::vector<std::pair<std::size_t, std::size_t>> middle;  // (dependents, index)
  for (std::size_t i = 0; i < n; ++i) {
    if (!image.in[i] || g.deps[i].empty()) continue;
    std::size_t rdeps = dependentsOf(g, image, i).size() - 1;
    if (rdeps > 0) middle.push_back({rdeps, i});
  }
  std::sort(middle.begin(), middle.end(), [&](const auto& a, const auto& b) {
    return std::tie(a.first, g.packages[a.second].name) <
           std::tie(b.first, g.packages[b.second].name);
  });
  if (middle.empty()) throw std::runtime_error("no package has both dependencies and dependents");
  std::size_t from = middle.size() / 2 >= changes / 2 ? middle.size() / 2 - changes / 2 : 0;
  std::vector<std::size_t> changed;
  for (std::size_t k = from; k < middle.size() && changed.size() < changes; ++k)
    changed.push_back(middle[k].second);

  const std::string prefix = "FIGURE layering." + image.label;
  // Without a popularity file a path's popularity is counted inside the
  // image (what the server does by default); "popularity+file" gives the
  // built-in strategy counts over the whole package set, as Nixery's
  // popularity data does.
  const PopularityData inImage;
  sdk::ClosureGraph base = closureOf(g, image, {}, inImage);
  sdk::ClosureGraph baseFile = closureOf(g, image, {}, global);
  std::cout << "\n== image '" << image.label << "': " << image.description << ": " << paths
            << " store paths, " << human(static_cast<double>(total)) << ", " << base.roots.size()
            << " top-level\n";
  std::cout << prefix << ".paths=" << paths << "\n" << prefix << ".bytes=" << total << "\n";
  std::string names;
  double changedBytesSum = 0, changedPathsSum = 0;
  std::vector<sdk::ClosureGraph> after, afterFile;
  for (auto c : changed) {
    auto dependents = dependentsOf(g, image, c);
    std::uint64_t bytes = 0;
    for (auto d : dependents) bytes += g.packages[d].size;
    changedBytesSum += static_cast<double>(bytes);
    changedPathsSum += static_cast<double>(dependents.size());
    names += (names.empty() ? "" : ",") + g.packages[c].name;
    std::cout << "change " << g.packages[c].name << ": " << dependents.size()
              << " store paths change (" << human(static_cast<double>(bytes)) << ")\n";
    after.push_back(closureOf(g, image, dependents, inImage));
    afterFile.push_back(closureOf(g, image, dependents, global));
  }
  double k = static_cast<double>(changed.size());
  std::cout << prefix << ".changed=" << names << "\n"
            << prefix << ".changed_paths_avg=" << std::llround(changedPathsSum / k) << "\n"
            << prefix << ".changed_bytes_avg=" << std::llround(changedBytesSum / k) << "\n";
  std::cout << "least any strategy re-downloads (the changed paths): " << human(changedBytesSum / k)
            << " on average\n\n";

  std::cout << std::left << std::setw(17) << "strategy" << std::setw(11) << "maxLayers"
            << std::setw(8) << "layers" << std::setw(13) << "stored" << std::setw(18)
            << "stored (+ new)" << std::setw(14) << "re-download" << std::setw(8) << "share"
            << "plan ms\n";
  for (auto maxLayers : budgets) {
    for (const std::string row : {"popularity", "popularity+file", "flat", "auto", "closure"}) {
      const bool withFile = row == "popularity+file";
      const std::string name = withFile ? "popularity" : row;
      const auto& entry = strategies.get(name);
      const auto& before = withFile ? baseFile : base;
      std::uint32_t budget = maxLayers - 1;  // the server keeps one layer for symlinks
      auto t0 = std::chrono::steady_clock::now();
      auto layersBefore = planLayers(entry, name, before, budget);
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      std::map<std::string, std::uint64_t> sizeOf;
      for (const auto& p : before.paths) sizeOf[p.path] = p.narSize;
      std::set<std::set<std::string>> have;
      std::uint64_t stored = 0;
      for (const auto& l : layersBefore) {
        have.insert(std::set<std::string>(l.begin(), l.end()));
        for (const auto& p : l) stored += sizeOf[p];
      }
      double redownload = 0;
      for (const auto& graph : withFile ? afterFile : after) {
        std::map<std::string, std::uint64_t> sizeAfter;
        for (const auto& p : graph.paths) sizeAfter[p.path] = p.narSize;
        std::uint64_t fetched = 0;
        for (const auto& l : planLayers(entry, name, graph, budget)) {
          if (have.count(std::set<std::string>(l.begin(), l.end()))) continue;  // same layer
          for (const auto& p : l) fetched += sizeAfter[p];
        }
        redownload += static_cast<double>(fetched);
      }
      redownload /= k;
      double storedBoth = static_cast<double>(stored) + redownload;  // old and new version
      double share = 100.0 * redownload / static_cast<double>(stored);
      std::cout << std::left << std::setw(17) << row << std::setw(11) << maxLayers << std::setw(8)
                << layersBefore.size() << std::setw(13) << human(static_cast<double>(stored))
                << std::setw(18) << human(storedBoth) << std::setw(14) << human(redownload)
                << std::setw(8) << (std::to_string(std::lround(share)) + " %") << std::fixed
                << std::setprecision(1) << ms << "\n";
      std::string key =
          prefix + "." + (withFile ? "popularity_file" : name) + ".max" + std::to_string(maxLayers);
      std::cout << key << ".layers=" << layersBefore.size() << "\n"
                << key << ".stored_bytes=" << stored << "\n"
                << key << ".stored_with_new_version_bytes=" << std::llround(storedBoth) << "\n"
                << key << ".redownload_bytes=" << std::llround(redownload) << "\n"
                << key << ".redownload_pct=" << std::fixed << std::setprecision(1) << share << "\n"
                << key << ".plan_ms=" << std::setprecision(2) << ms << "\n";
    }
  }
}

/// Top-level packages with the largest, mostly distinct closures: each next
/// one adds the most packages no earlier one has (ties by name).
std::vector<std::size_t> applications(const Graph& g, std::size_t count) {
  const std::size_t n = g.packages.size();
  std::vector<bool> referenced(n, false), covered(n, false);
  for (const auto& d : g.deps)
    for (auto x : d) referenced[x] = true;
  std::vector<std::vector<bool>> closures(n);
  for (std::size_t i = 0; i < n; ++i)
    if (!referenced[i]) closures[i] = closureSet(g, i);
  std::vector<std::size_t> out;
  while (out.size() < count) {
    std::size_t best = n, bestNew = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (referenced[i] || std::find(out.begin(), out.end(), i) != out.end()) continue;
      std::size_t fresh = 0;
      for (std::size_t p = 0; p < n; ++p) fresh += closures[i][p] && !covered[p];
      if (fresh > bestNew) {
        best = i;
        bestNew = fresh;
      }
    }
    if (best == n) break;
    out.push_back(best);
    for (std::size_t p = 0; p < n; ++p)
      if (closures[best][p]) covered[p] = true;
  }
  return out;
}

/// Deep libraries to bump: libssl3 and zlib1g when installed, then the
/// `others` libraries ("lib*") inside `scope` with the most transitive
/// dependents (ties by name).
std::vector<std::size_t> deepLibraries(const Graph& g, const std::vector<bool>& scope,
                                       std::size_t others) {
  const std::size_t n = g.packages.size();
  const Image all{"", "", std::vector<bool>(n, true)};
  std::vector<std::size_t> out;
  for (const char* name : {"libssl3", "zlib1g"})
    for (std::size_t i = 0; i < n; ++i)
      if (g.packages[i].name == name && scope[i]) out.push_back(i);
  std::vector<std::pair<std::size_t, std::size_t>> ranked;  // (dependents, index)
  for (std::size_t i = 0; i < n; ++i)
    if (scope[i] && g.packages[i].name.rfind("lib", 0) == 0 &&
        std::find(out.begin(), out.end(), i) == out.end())
      ranked.push_back({dependentsOf(g, all, i).size() - 1, i});
  std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return g.packages[a.second].name < g.packages[b.second].name;
  });
  for (std::size_t k = 0; k < ranked.size() && k < others; ++k) out.push_back(ranked[k].second);
  return out;
}

using LayerSet = std::set<std::vector<std::string>>;

/// The distinct layers of a set of images, each sorted.
LayerSet distinctLayers(const std::vector<std::vector<sdk::Layer>>& images) {
  LayerSet out;
  for (const auto& layers : images)
    for (auto l : layers) {
      std::sort(l.begin(), l.end());
      out.insert(std::move(l));
    }
  return out;
}

/// Version bumps of deep libraries under a set of images: for every strategy
/// and budget, layers per image, bytes stored (distinct layers of the images)
/// and the bytes a client holding the old images downloads to get the new ones
/// (distinct layers it does not hold), as a multiple of the bytes of the store
/// paths that changed. One bump at a time; average and worst over the bumps.
void bumpScenario(const Graph& g, const std::string& label, const std::vector<Image>& images,
                  const std::vector<std::size_t>& bumps, StrategyRegistry& strategies,
                  const PopularityData& global, const std::vector<std::uint32_t>& budgets,
                  bool popularityFileRow) {
  const std::size_t n = g.packages.size();
  const Image all{"", "", std::vector<bool>(n, true)};
  std::vector<bool> inAny(n, false);
  for (const auto& image : images)
    for (std::size_t i = 0; i < n; ++i)
      if (image.in[i]) inAny[i] = true;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (inAny[i]) total += g.packages[i].size;
  const std::string prefix = "FIGURE layering." + label;
  std::cout << "\n== scenario '" << label << "': " << images.size() << " image(s), "
            << std::count(inAny.begin(), inAny.end(), true) << " store paths in all, "
            << human(static_cast<double>(total)) << "\n";
  std::string names;
  for (const auto& image : images) {
    std::cout << "image " << image.label << ": " << image.description << ", "
              << std::count(image.in.begin(), image.in.end(), true) << " store paths\n";
    names += (names.empty() ? "" : ",") + image.label;
  }
  std::cout << prefix << ".images=" << names << "\n";

  // Per bump: the changed packages and the least any strategy downloads.
  const PopularityData inImage;
  std::vector<std::set<std::size_t>> changed;
  std::vector<double> minimum;
  names.clear();
  for (auto b : bumps) {
    auto dependents = dependentsOf(g, all, b);
    std::uint64_t bytes = 0, paths = 0;
    for (auto d : dependents)
      if (inAny[d]) {
        bytes += g.packages[d].size;
        ++paths;
      }
    std::cout << "bump " << g.packages[b].name << ": " << paths << " store paths change ("
              << human(static_cast<double>(bytes)) << ")\n";
    names += (names.empty() ? "" : ",") + g.packages[b].name;
    changed.push_back(std::move(dependents));
    minimum.push_back(static_cast<double>(bytes));
  }
  std::cout << prefix << ".bumps=" << names << "\n\n";

  std::cout << std::left << std::setw(17) << "strategy" << std::setw(11) << "maxLayers"
            << std::setw(15) << "layers/image" << std::setw(13) << "stored" << std::setw(16)
            << "re-download" << std::setw(12) << "x min avg" << std::setw(14) << "x min worst"
            << "plan ms\n";
  std::vector<std::string> rows = {"popularity", "flat", "auto", "closure"};
  if (popularityFileRow) rows.insert(rows.begin() + 1, "popularity+file");
  for (auto maxLayers : budgets) {
    for (const auto& row : rows) {
      const bool withFile = row == "popularity+file";
      const std::string name = withFile ? "popularity" : row;
      const auto& entry = strategies.get(name);
      const PopularityData& counts = withFile ? global : inImage;
      const std::uint32_t budget = maxLayers - 1;  // the server keeps one layer for symlinks
      double ms = 0;
      auto planAll = [&](const std::set<std::size_t>& change) {
        std::vector<std::vector<sdk::Layer>> out;
        for (const auto& image : images) {
          auto graph = closureOf(g, image, change, counts);
          auto t0 = std::chrono::steady_clock::now();
          out.push_back(planLayers(entry, name, graph, budget));
          ms = std::max(
              ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                      .count());
        }
        return out;
      };
      // Layer sizes: a path's size by its store path (old or new).
      std::map<std::string, std::uint64_t> sizeOf;
      auto sizeOfLayer = [&](const std::vector<std::string>& l) {
        std::uint64_t bytes = 0;
        for (const auto& p : l) bytes += sizeOf.at(p);
        return bytes;
      };
      auto learnSizes = [&](const std::set<std::size_t>& change) {
        for (const auto& image : images)
          for (const auto& p : closureOf(g, image, change, inImage).paths)
            sizeOf[p.path] = p.narSize;
      };
      learnSizes({});
      auto before = planAll({});
      double layersPerImage = 0;
      for (const auto& l : before) layersPerImage += static_cast<double>(l.size());
      layersPerImage /= static_cast<double>(images.size());
      const LayerSet held = distinctLayers(before);
      std::uint64_t stored = 0;
      for (const auto& l : held) stored += sizeOfLayer(l);
      double fetchedSum = 0, ratioSum = 0, worst = 0;
      for (std::size_t k = 0; k < bumps.size(); ++k) {
        learnSizes(changed[k]);
        std::uint64_t fetched = 0;
        for (const auto& l : distinctLayers(planAll(changed[k])))
          if (!held.count(l)) fetched += sizeOfLayer(l);
        const double ratio = static_cast<double>(fetched) / std::max(1.0, minimum[k]);
        fetchedSum += static_cast<double>(fetched);
        ratioSum += ratio;
        worst = std::max(worst, ratio);
      }
      const double count = static_cast<double>(bumps.size());
      std::ostringstream perImage, avg, worstText;
      perImage << std::fixed << std::setprecision(1) << layersPerImage;
      avg << std::fixed << std::setprecision(2) << ratioSum / count << "x";
      worstText << std::fixed << std::setprecision(2) << worst << "x";
      std::cout << std::left << std::setw(17) << row << std::setw(11) << maxLayers << std::setw(15)
                << perImage.str() << std::setw(13) << human(static_cast<double>(stored))
                << std::setw(16) << human(fetchedSum / count) << std::setw(12) << avg.str()
                << std::setw(14) << worstText.str() << std::fixed << std::setprecision(1) << ms
                << "\n";
      std::string key =
          prefix + "." + (withFile ? "popularity_file" : name) + ".max" + std::to_string(maxLayers);
      std::cout << key << ".layers_per_image=" << perImage.str() << "\n"
                << key << ".stored_bytes=" << stored << "\n"
                << key << ".redownload_bytes_avg=" << std::llround(fetchedSum / count) << "\n"
                << key << ".redownload_x_min_avg=" << std::setprecision(3) << ratioSum / count
                << "\n"
                << key << ".redownload_x_min_worst=" << worst << "\n"
                << key << ".plan_ms_max=" << std::setprecision(2) << ms << "\n";
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string status = "/var/lib/dpkg/status";
  std::string pluginDir = STRATA_PLUGIN_DIR;
  std::vector<std::uint32_t> budgets = {20, 94};
  std::size_t changes = 5;
  for (int i = 1; i < argc; i += 2) {
    std::string a = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "strata_layering_bench: " << a << " needs a value\n";
      return 2;
    }
    std::string v = argv[i + 1];
    if (a == "--status") {
      status = v;
    } else if (a == "--plugins") {
      pluginDir = v;
    } else if (a == "--changes") {
      changes = std::max<std::size_t>(1, std::stoul(v));
    } else if (a == "--budgets") {
      budgets.clear();
      for (const auto& b : split(v, ','))
        budgets.push_back(std::max<std::uint32_t>(2, static_cast<std::uint32_t>(std::stoul(b))));
    } else {
      std::cerr << "strata_layering_bench: unknown option " << a << "\n";
      return 2;
    }
  }
  try {
    Graph g = buildGraph(readStatus(status));
    const std::size_t n = g.packages.size();
    std::size_t edges = 0;
    for (const auto& d : g.deps) edges += d.size();
    std::cout << "graph: " << n << " packages from " << status << ", " << edges
              << " dependencies (cycles broken)\n";
    std::cout << "FIGURE layering.graph.packages=" << n << "\n"
              << "FIGURE layering.graph.dependencies=" << edges << "\n";

    StrategyRegistry strategies;
    PolicyRegistry policies;
    strategies.add("popularity", std::make_shared<PopularityStrategy>(), "built-in");
    strategies.add("closure", std::make_shared<ClosureStrategy>(), "built-in");
    for (const char* plugin : {"layering-flat", "layering-auto"})
      PluginHost::load(plugin, pluginDir + "/" + plugin + ".so", "{}", strategies, policies);

    // Two shapes of image. "app": what a container usually is, one requested
    // package with its closure (the top-level package with the largest
    // closure). "system": every installed package at once, 100+ top-level.
    std::vector<bool> referenced(n, false);
    for (const auto& d : g.deps)
      for (auto x : d) referenced[x] = true;
    std::size_t app = n, appSize = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (referenced[i]) continue;
      auto in = closureSet(g, i);
      std::size_t size = static_cast<std::size_t>(std::count(in.begin(), in.end(), true));
      if (size > appSize) {
        app = i;
        appSize = size;
      }
    }
    if (app == n) throw std::runtime_error("the graph has no top-level package");
    // Popularity over the whole package set, as a popularity file would give it:
    // how many packages depend on each one, directly or not.
    std::string popularityFile = "/tmp/strata-layering-bench-popularity.json";
    {
      Image all{"", "", std::vector<bool>(n, true)};
      std::ofstream out(popularityFile, std::ios::trunc);
      out << "{";
      for (std::size_t i = 0; i < n; ++i)
        out << (i ? "," : "") << "\"" << g.packages[i].name << "-" << g.packages[i].version
            << "\":" << dependentsOf(g, all, i).size() - 1;
      out << "}";
    }
    PopularityData global = PopularityData::load(popularityFile);
    std::remove(popularityFile.c_str());
    compare(g, Image{"app", "the closure of " + g.packages[app].name, closureSet(g, app)},
            strategies, global, budgets, changes);
    compare(g, Image{"system", "every installed package", std::vector<bool>(n, true)}, strategies,
            global, budgets, changes);

    // Version bumps of deep libraries (every dependent gets a new store path)
    // under five application images, then under the whole-system image.
    std::vector<Image> apps;
    std::vector<bool> inApps(n, false);
    for (auto a : applications(g, 5)) {
      apps.push_back(
          Image{g.packages[a].name, "the closure of " + g.packages[a].name, closureSet(g, a)});
      for (std::size_t i = 0; i < n; ++i)
        if (apps.back().in[i]) inApps[i] = true;
    }
    const auto bumps = deepLibraries(g, inApps, 3);
    bumpScenario(g, "bumps.apps", apps, bumps, strategies, global, budgets, true);
    bumpScenario(g, "bumps.system",
                 {Image{"system", "every installed package", std::vector<bool>(n, true)}}, bumps,
                 strategies, global, budgets, false);
  } catch (const std::exception& e) {
    std::cerr << "strata_layering_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
