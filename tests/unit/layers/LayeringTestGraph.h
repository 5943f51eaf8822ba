#pragma once

// Builds sdk::ClosureGraph values for the layering tests from short names.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "strata/sdk/closure.h"
#include "strata/sdk/layering.h"
#include "util/Sha256.h"

namespace strata::test {

/// "/nix/store/<32 chars>-<name>", the hash derived from the name.
inline std::string storePath(const std::string& name) {
  return "/nix/store/" + Sha256::hex(name).substr(0, 32) + "-" + name;
}

class GraphBuilder {
 public:
  GraphBuilder& add(const std::string& name, std::uint64_t narSize,
                    const std::vector<std::string>& refs = {}, std::uint64_t popularity = 0) {
    sdk::StorePath p;
    p.path = storePath(name);
    p.narSize = narSize;
    for (const auto& r : refs) p.references.push_back(storePath(r));
    std::sort(p.references.begin(), p.references.end());
    p.popularity = popularity;
    paths_.push_back(std::move(p));
    return *this;
  }
  GraphBuilder& root(const std::string& name) {
    roots_.push_back(storePath(name));
    return *this;
  }
  sdk::ClosureGraph build() const {
    sdk::ClosureGraph g;
    g.paths = paths_;
    std::sort(g.paths.begin(), g.paths.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    g.roots = roots_;
    std::sort(g.roots.begin(), g.roots.end());
    return g;
  }

 private:
  std::vector<sdk::StorePath> paths_;
  std::vector<std::string> roots_;
};

/// A layer as the sorted store paths of the given names.
inline std::vector<std::string> layerOf(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names) out.push_back(storePath(n));
  std::sort(out.begin(), out.end());
  return out;
}

/// Layers as a set of sets, for comparisons that ignore layer order.
inline std::set<std::set<std::string>> asSets(const std::vector<std::vector<std::string>>& layers) {
  std::set<std::set<std::string>> out;
  for (const auto& l : layers) out.insert(std::set<std::string>(l.begin(), l.end()));
  return out;
}

inline std::set<std::set<std::string>> setsOf(
    const std::vector<std::vector<std::string>>& nameLayers) {
  std::vector<std::vector<std::string>> layers;
  for (const auto& l : nameLayers) layers.push_back(layerOf(l));
  return asSets(layers);
}

/// Every path of the graph in exactly one layer, nothing else, no empty layer,
/// each layer sorted.
inline void expectPartition(const sdk::ClosureGraph& g, const sdk::LayerPlan& plan) {
  ASSERT_TRUE(plan.ok) << plan.error;
  std::multiset<std::string> seen;
  for (const auto& l : plan.layers) {
    EXPECT_FALSE(l.empty());
    EXPECT_TRUE(std::is_sorted(l.begin(), l.end()));
    seen.insert(l.begin(), l.end());
  }
  std::multiset<std::string> all;
  for (const auto& p : g.paths) all.insert(p.path);
  EXPECT_EQ(seen, all);
}

}  // namespace strata::test
