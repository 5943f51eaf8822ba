#include "layers/StrategyRegistry.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "util/CallWithDeadline.h"
#include "util/Error.h"

namespace strata {

void StrategyRegistry::add(const std::string& name, std::shared_ptr<sdk::LayeringStrategy> strategy,
                           const std::string& origin) {
  auto it = entries_.find(name);
  if (it != entries_.end())
    throw std::invalid_argument("layering strategy '" + name + "' of " + origin +
                                " is already registered by " + it->second.origin);
  entries_.emplace(name, Entry{std::move(strategy), origin});
}

const StrategyRegistry::Entry& StrategyRegistry::get(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown layering strategy '" + name + "' (known: " + known + ")");
  }
  return it->second;
}

std::vector<std::string> StrategyRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, e] : entries_) out.push_back(name);
  return out;
}

std::vector<sdk::Layer> planLayers(const StrategyRegistry::Entry& entry, const std::string& name,
                                   const sdk::ClosureGraph& graph, std::uint32_t budget,
                                   std::chrono::milliseconds deadline) {
  auto fail = [&](const std::string& what) {
    return Error(ErrorKind::Internal,
                 "layering strategy '" + name + "' (" + entry.origin + ") failed: " + what);
  };
  // The call owns a copy of the graph: it may outlive this build.
  auto owned = std::make_shared<const sdk::ClosureGraph>(graph);
  auto answer = callWithDeadline(
      [strategy = entry.strategy, owned, budget] { return strategy->plan(*owned, budget); },
      deadline);
  if (!answer)
    throw fail("it did not answer within plugins.timeoutSeconds (" + describeLimit(deadline) + ")");
  sdk::LayerPlan plan = std::move(*answer);
  if (!plan.ok) throw fail(plan.error.empty() ? "no reason given" : plan.error);
  if (plan.layers.size() > budget)
    throw fail("it returned " + std::to_string(plan.layers.size()) + " layers for a budget of " +
               std::to_string(budget));
  std::set<std::string> closure;
  for (const auto& p : graph.paths) closure.insert(p.path);
  std::set<std::string> seen;
  for (const auto& layer : plan.layers) {
    if (layer.empty()) throw fail("it returned an empty layer");
    for (const auto& path : layer) {
      if (!closure.count(path))
        throw fail("layer names '" + path + "', which is not in the closure");
      if (!seen.insert(path).second) throw fail("'" + path + "' is in more than one layer");
    }
  }
  if (seen.size() != closure.size()) {
    for (const auto& p : closure)
      if (!seen.count(p)) throw fail("'" + p + "' is in no layer");
  }
  return plan.layers;
}

PopularityData PopularityData::load(const std::string& file) {
  PopularityData data;
  if (file.empty()) return data;
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read popularity file '" + file + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    Poco::JSON::Parser parser;
    auto obj = parser.parse(ss.str()).extract<Poco::JSON::Object::Ptr>();
    for (const auto& name : obj->getNames()) {
      auto v = obj->get(name);
      if (!v.isInteger() || v.isBoolean() || v.convert<long long>() < 0)
        throw std::runtime_error("value of '" + name + "' is not a count");
      data.counts_[name] = v.convert<std::uint64_t>();
    }
  } catch (const std::exception& e) {
    throw std::runtime_error("popularity file '" + file + "': " + e.what());
  }
  return data;
}

void PopularityData::apply(sdk::ClosureGraph& graph) const {
  // Transitive referrers inside the closure, by walking reverse edges.
  std::map<std::string, std::vector<std::string>> referrers;
  for (const auto& p : graph.paths)
    for (const auto& r : p.references) referrers[r].push_back(p.path);
  for (auto& p : graph.paths) {
    std::string name = p.path.size() > 44 ? p.path.substr(44) : p.path;  // "/nix/store/" + 32 + "-"
    auto it = counts_.find(name);
    if (it != counts_.end()) {
      p.popularity = it->second;
      continue;
    }
    std::set<std::string> seen;
    std::vector<std::string> todo = referrers[p.path];
    while (!todo.empty()) {
      std::string q = todo.back();
      todo.pop_back();
      if (!seen.insert(q).second) continue;
      for (const auto& r : referrers[q]) todo.push_back(r);
    }
    p.popularity = seen.size();
  }
}

}  // namespace strata
