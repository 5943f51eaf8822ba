// The JSON Strata reads: the configuration file with its --set overrides
// (config/Config), a closure graph as stored with an image (meta/ClosureJson)
// and a package's `meta` as Nix evaluates it (NixDriver::parseMeta). The
// input is the JSON text, then optionally NUL-separated "key=value"
// overrides.

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "FuzzCheck.h"
#include "config/Config.h"
#include "meta/ClosureJson.h"
#include "nix/NixDriver.h"

namespace strata {
namespace {

using fuzz::check;
using fuzz::fail;
using strata::isUtf8;

bool isAbsolute(const std::string& path) {
  return !path.empty() && path.front() == '/';
}

void checkConfig(const Config& c, const std::string& input) {
  check(isAbsolute(c.dataDir) && isAbsolute(c.storagePath) && isAbsolute(c.databasePath),
        "dataDir, storage and database paths are absolute", input);
  check(c.publicUrl.rfind("http://", 0) == 0 || c.publicUrl.rfind("https://", 0) == 0,
        "publicUrl is an http(s) URL", input);
  check(c.layering.maxLayers >= 2 && c.layering.maxLayers <= 125, "maxLayers in 2..125", input);
  check(c.nix.timeoutSeconds >= 1 && c.gc.minAgeSeconds >= c.nix.timeoutSeconds,
        "gc.minAgeSeconds covers the longest build", input);
  check(c.auth.tokenTtlSeconds >= 10, "tokenTtlSeconds is at least 10", input);
  std::set<std::string> names, prefixes;
  for (const auto& s : c.sources) {
    check(!s.name.empty() && s.name.size() <= 64, "source names are 1-64 bytes", input);
    check(names.insert(s.name).second && prefixes.insert(s.prefix).second,
          "source names and prefixes are unique", input);
    check(s.prefix.empty() || (s.prefix.front() != '/' && s.prefix.back() != '/'),
          "prefixes have no outer '/'", input);
    check(s.type == "path" || s.type == "git" || s.type == "nixpkgs", "a known source type", input);
    check(s.type != "path" || isAbsolute(s.path), "a path source has an absolute path", input);
    check(!s.platforms.empty(), "a source has platforms", input);
    for (const auto& p : s.platforms)
      check(!archOfSystem(p).empty(), "platforms are systems Strata builds for", p);
    check(s.metaPackages.count("arm64") == 0, "arm64 is never a meta-package", input);
    auto choice = layeringOf(c, s);
    check(choice.maxLayers >= 2 && choice.maxLayers <= 125, "a source's maxLayers in 2..125",
          input);
  }
  // Plugins get their configuration as JSON text: it must read back as the
  // object it was.
  for (const auto& [plugin, json] : c.plugins.config) {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v;
    try {
      v = parser.parse(json);
    } catch (const Poco::Exception&) {
      fail("a plugin's configuration is JSON", json);
    }
    check(v.type() == typeid(Poco::JSON::Object::Ptr), "a plugin's configuration is an object",
          json);
  }
}

bool sameGraph(const sdk::ClosureGraph& a, const sdk::ClosureGraph& b) {
  if (a.roots != b.roots || a.paths.size() != b.paths.size()) return false;
  for (std::size_t i = 0; i < a.paths.size(); ++i) {
    const auto &p = a.paths[i], &q = b.paths[i];
    if (p.path != q.path || p.narSize != q.narSize || p.references != q.references ||
        p.popularity != q.popularity || p.narHash != q.narHash)
      return false;
  }
  return true;
}

bool hasControl(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f;
  });
}

void checkMeta(const Poco::JSON::Object::Ptr& object, const std::string& input) {
  PackageMeta m = NixDriver::parseMeta(object);
  check(m.description.size() <= 1000 && isUtf8(m.description) && !hasControl(m.description),
        "a description is at most 1000 bytes of printable UTF-8", m.description);
  check(m.homepage.empty() ||
            ((m.homepage.rfind("http://", 0) == 0 || m.homepage.rfind("https://", 0) == 0) &&
             m.homepage.find_first_of(" \"<>\\") == std::string::npos && !hasControl(m.homepage)),
        "a homepage is an http(s) URL without spaces or quotes", m.homepage);
  check(m.licenses.size() <= 16, "at most 16 licenses", input);
  std::set<std::string> seen;
  for (const auto& l : m.licenses) {
    check(!l.empty() && l.size() <= 100 && isUtf8(l) && !hasControl(l),
          "a license is 1-100 bytes of printable UTF-8", l);
    check(seen.insert(l).second, "licenses are unique", l);
  }
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata;
  using fuzz::check;
  std::string input(fuzz::asText(data, size));
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    auto nul = input.find('\0', start);
    parts.push_back(input.substr(start, nul == std::string::npos ? nul : nul - start));
    if (nul == std::string::npos) break;
    start = nul + 1;
  }
  const std::string& json = parts.front();
  std::vector<std::string> overrides(parts.begin() + 1, parts.end());

  // The configuration: loadConfig's contract is std::runtime_error naming the
  // key, which `strata` prints as its one line.
  try {
    checkConfig(parseConfig(json, overrides), input);
  } catch (const std::runtime_error&) {
  } catch (const std::exception& e) {
    fuzz::fail("the configuration fails with std::runtime_error only", e.what());
  }

  // A stored closure: malformed JSON is a Poco::Exception; a graph that reads
  // writes back to the same graph.
  try {
    sdk::ClosureGraph g = closureFromJson(json);
    std::string again = closureToJson(g);
    check(sameGraph(closureFromJson(again), g), "a closure graph survives a round trip", again);
  } catch (const Poco::Exception&) {
  }

  // A package's meta: whatever shape, parseMeta keeps only what is safe to
  // show.
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(json);
    if (v.type() == typeid(Poco::JSON::Object::Ptr))
      checkMeta(v.extract<Poco::JSON::Object::Ptr>(), input);
  } catch (const Poco::Exception&) {
  }
  return 0;
}
