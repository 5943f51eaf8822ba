// Plugin policy-denylist: the access policy `denylist` refuses images by rule.
//
//   "plugins": { "config": { "policy-denylist": { "rules": [
//     { "source": "*",  "packages": "python2*",            "reason": "Python 2 is end of life" },
//     { "source": "fx", "closureContains": "openssl-1.1", "reason": "OpenSSL 1.1 is not allowed" }
//   ] } } }
//
// `source` is a glob on the source name. A `packages` rule matches when a
// requested package (attribute path, case ignored, as in grants) matches its
// glob: it is decided before the build, so nothing is built for it. A
// `closureContains` rule matches when the name of a store path of the built
// closure (the part after the hash) contains the text: it is decided after the
// build, for cached images too. The first matching rule denies, with its
// reason and what matched.
#include <stdexcept>
#include <string>
#include <vector>

#include "strata/sdk/json.h"
#include "strata/sdk/plugin.h"
#include "strata/sdk/util.h"

namespace {

using namespace strata::sdk;

struct Rule {
  std::string source;           ///< glob on the source name
  std::string packages;         ///< glob on requested packages, or empty
  std::string closureContains;  ///< substring of closure path names, or empty
  std::string reason;
};

class DenylistPolicy final : public AccessPolicy {
 public:
  explicit DenylistPolicy(std::vector<Rule> rules) : rules_(std::move(rules)) {}

  Decision check(const Subject&, const std::string&, const ImageInfo& image) noexcept override {
    return guardDecision([&]() -> Decision {
      for (const auto& rule : rules_) {
        if (!globMatch(rule.source, image.source)) continue;
        if (!rule.packages.empty()) {
          for (const auto& p : image.packages)
            if (globMatch(rule.packages, p, /*ignoreCase=*/true))
              return Decision{false, rule.reason + " (package " + p + ")"};
        } else if (image.closure != nullptr) {
          for (const auto& sp : image.closure->paths) {
            std::string_view name = storePathName(sp.path);
            if (name.find(rule.closureContains) != std::string_view::npos)
              return Decision{false, rule.reason + " (the image holds " + std::string(name) + ")"};
          }
        }
      }
      return Decision{true, ""};
    });
  }

 private:
  const std::vector<Rule> rules_;  // read only after registration: safe from many threads
};

std::string nonEmptyString(const json::Value& rule, const std::string& key,
                           const std::string& what) {
  const json::Value* v = rule.find(key);
  if (v == nullptr) throw json::Error(what + "." + key + " is required");
  const std::string& s = v->asString(what + "." + key);
  if (s.empty()) throw json::Error(what + "." + key + " must not be empty");
  return s;
}

void registerPlugin(Registrar& registrar, const std::string& configJson) {
  const std::string base = "plugins.config.policy-denylist";
  json::Value config = json::parse(configJson);
  config.requireOnly({"rules"}, base);
  std::vector<Rule> rules;
  if (const json::Value* list = config.find("rules")) {
    const auto& items = list->asArray(base + ".rules");
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string what = base + ".rules[" + std::to_string(i) + "]";
      items[i].requireOnly({"source", "packages", "closureContains", "reason"}, what);
      Rule r;
      r.source = nonEmptyString(items[i], "source", what);
      r.reason = nonEmptyString(items[i], "reason", what);
      bool hasPackages = items[i].find("packages") != nullptr;
      bool hasClosure = items[i].find("closureContains") != nullptr;
      if (hasPackages == hasClosure)
        throw json::Error(what + " needs exactly one of packages and closureContains");
      if (hasPackages)
        r.packages = nonEmptyString(items[i], "packages", what);
      else
        r.closureContains = nonEmptyString(items[i], "closureContains", what);
      rules.push_back(std::move(r));
    }
  }
  registrar.addAccessPolicy("denylist", new DenylistPolicy(std::move(rules)));
}

}  // namespace

STRATA_PLUGIN(registerPlugin)
