#include "nix/NixDriver.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "nix/ChildProcess.h"
#include "nix/NarHash.h"
#include "util/Embedded.h"
#include "util/Error.h"

namespace strata {
namespace {

std::string toJsonList(const std::vector<std::string>& names) {
  Poco::JSON::Array arr;
  for (const auto& n : names) arr.add(n);
  std::ostringstream out;
  arr.stringify(out);
  return out.str();
}

[[noreturn]] void failFrom(const ChildResult& r, const std::string& what, int timeoutSeconds) {
  if (r.cancelled)
    throw Error(ErrorKind::ShuttingDown, what + " was stopped: the server is shutting down");
  if (r.timedOut)
    throw Error(ErrorKind::BuildTimeout,
                what + " did not finish within nix.timeoutSeconds (" +
                    std::to_string(timeoutSeconds) + " s)",
                lastLines(r.errTail, 20));
  throw Error(ErrorKind::BuildFailed,
              what + " failed (exit status " + std::to_string(r.exitCode) + ")",
              lastLines(r.errTail, 20));
}

ChildResult run(const std::vector<std::string>& argv, Deadline deadline, const LogSink& log,
                const Cancellation* stop, const ChildOptions& base) {
  ChildOptions opts = base;
  opts.cancel = stop;
  opts.deadline = deadline;
  opts.dieWithParent = true;
  opts.onStderrLine = log;
  try {
    return runChild(argv, opts);
  } catch (const std::runtime_error& e) {
    throw Error(ErrorKind::BuildFailed, "cannot run Nix: " + std::string(e.what()),
                "is Nix installed (Debian package nix-bin)?");
  }
}

}  // namespace

std::string lastLines(const std::string& log, std::size_t lines) {
  std::string text = log;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (lines == 0) return {};
  std::size_t pos = text.size();
  for (std::size_t n = 0; n < lines; ++n) {
    if (pos == 0) return text;
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

NixDriver::NixDriver(NixConfig config, const Cancellation* stop)
    : config_(std::move(config)), stop_(stop) {
  if (!config_.binDir.empty() && ::access(program("nix-build").c_str(), X_OK) != 0)
    throw std::runtime_error("nix.binDir: " + config_.binDir + " holds no executable nix-build");
  if (config_.daemon) {
    childBase_.extraEnv["NIX_REMOTE"] = "daemon";
    if (::geteuid() == 0) {
      std::string name = config_.user.empty() ? "nobody" : config_.user;
      struct passwd* pw = ::getpwnam(name.c_str());
      if (pw == nullptr)
        throw std::runtime_error("nix.user: no user '" + name + "' on this machine");
      if (pw->pw_uid == 0) throw std::runtime_error("nix.user: '" + name + "' is root");
      childBase_.runAs =
          std::make_pair(static_cast<unsigned>(pw->pw_uid), static_cast<unsigned>(pw->pw_gid));
      runsAs_ = name;
      // The user's own home may not exist; root's is not readable to it.
      childBase_.extraEnv["HOME"] = "/nonexistent";
    }
  }
  for (const auto& f : embedded_nix::files())
    if (f.name == "strata.nix") expression_ = f.content;
  if (expression_.empty()) throw std::logic_error("strata.nix is not embedded in the binary");
}

PackageMeta NixDriver::parseMeta(const Poco::JSON::Object::Ptr& meta) {
  return parsePackageMeta(meta);
}

std::string NixDriver::program(const std::string& name) const {
  return config_.binDir.empty() ? name : config_.binDir + "/" + name;
}

std::string NixDriver::version() const {
  std::call_once(versionAsked_, [this] {
    version_ = "unknown";
    try {
      ChildOptions opts = childBase_;
      opts.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      ChildResult r = runChild({program("nix-instantiate"), "--version"}, opts);
      // "nix-instantiate (Nix) 2.8.0": the last word, if it looks like a version.
      std::string out = r.out;
      while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
      std::string word = out.substr(out.find_last_of(' ') + 1);
      bool plausible =
          !word.empty() && word.size() <= 40 && std::isdigit(static_cast<unsigned char>(word[0]));
      for (char c : word)
        plausible = plausible && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                                  c == '-' || c == '+' || c == '_');
      if (r.exitCode == 0 && plausible) version_ = word;
    } catch (const std::exception&) {
      // Not installed: every build will say so; the version stays unknown.
    }
  });
  return version_;
}

std::string NixDriver::requiredNixVersion(const std::string& errorText) {
  static const std::string kMarker = "requires Nix >= ";
  auto at = errorText.find(kMarker);
  if (at == std::string::npos) return "";
  std::string version;
  for (std::size_t i = at + kMarker.size(); i < errorText.size() && version.size() < 40; ++i) {
    char c = errorText[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+') break;
    version += c;
  }
  while (!version.empty() && version.back() == '.') version.pop_back();
  return version.empty() || !std::isdigit(static_cast<unsigned char>(version[0])) ? "" : version;
}

std::string NixDriver::describe() const {
  if (!config_.daemon) return "on the store directly";
  return "through the nix-daemon" + (runsAs_.empty() ? std::string() : " as " + runsAs_);
}

std::string NixDriver::systemFor(const std::string& arch) {
  return arch == "arm64" ? "aarch64-linux" : "x86_64-linux";
}

std::vector<std::string> NixDriver::commonArgs(const PackageSet& packageSet,
                                               const std::vector<std::string>& names,
                                               const std::string& system) const {
  std::vector<std::string> args;
  for (const auto& [k, v] : config_.options) {
    args.insert(args.end(), {"--option", k, v});
  }
  // After the configured options, so that none of them widens what a package
  // set reads by accident. restrict-eval lets Nix read only the search path
  // (-I) and the store paths evaluation makes; the search path is the
  // package set and its allowedPaths, never NIX_PATH or the channels.
  args.insert(args.end(), {"--option", "restrict-eval", "true", "--option", "nix-path", "", "-I",
                           "strata-package-set=" + packageSet.path});
  for (std::size_t i = 0; i < packageSet.allowedPaths.size(); ++i)
    args.insert(args.end(),
                {"-I", "strata-allowed-" + std::to_string(i) + "=" + packageSet.allowedPaths[i]});
  args.insert(args.end(), {"--argstr", "packageSet", packageSet.path, "--argstr", "namesJson",
                           toJsonList(names), "--argstr", "system", system, "--argstr",
                           "imagesAttribute", packageSet.imagesAttribute, "-E", expression_});
  return args;
}

std::string NixDriver::evaluate(const PackageSet& packageSet, const std::vector<std::string>& names,
                                const std::string& system, const std::string& attr,
                                Deadline deadline, const LogSink& log,
                                const std::vector<std::string>& extraArgs) const {
  std::vector<std::string> argv = {program("nix-instantiate"), "--eval", "--strict", "--json"};
  auto common = commonArgs(packageSet, names, system);
  argv.insert(argv.end(), common.begin(), common.end());
  argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
  argv.insert(argv.end(), {"-A", attr});
  ChildResult r = run(argv, deadline, log, stop_, childBase_);
  if (!r.timedOut && r.exitCode != 0) {
    // nixpkgs refuses an older Nix in its default.nix (lib/minver.nix): say
    // which Nix it needs and how to give it one, not just "evaluation failed".
    std::string needed = requiredNixVersion(r.errTail);
    if (!needed.empty())
      throw Error(ErrorKind::BuildFailed,
                  "this revision of the package set needs Nix " + needed +
                      " or newer, and this server runs Nix " + version() +
                      ": point nix.binDir at the bin folder of a newer Nix "
                      "(docs/operations.md#nix)",
                  lastLines(r.errTail, 20));
  }
  if (r.timedOut || r.exitCode != 0)
    failFrom(r, "evaluating the package set", config_.timeoutSeconds);
  return r.out;
}

std::string NixDriver::declaredImages(const PackageSet& packageSet, const std::string& system,
                                      Deadline deadline) const {
  return evaluate(packageSet, {}, system, "images", deadline, {});
}

Resolution NixDriver::resolve(const PackageSet& packageSet, const std::vector<std::string>& names,
                              const std::string& system, Deadline deadline,
                              const LogSink& log) const {
  std::string out = evaluate(packageSet, names, system, "resolve", deadline, log);
  Resolution res;
  try {
    Poco::JSON::Parser parser;
    auto answer = parser.parse(out).extract<Poco::JSON::Object::Ptr>();
    auto declared = answer->getObject("declared");
    auto obj = answer->getObject("packages");
    if (!obj || !declared) throw std::runtime_error("no packages in the answer");
    for (const auto& name : names) {
      if (declared->has(name)) {
        std::ostringstream text;
        Poco::JSON::Stringifier::stringify(declared->get(name), text);
        res.declared.emplace_back(name, text.str());
        continue;
      }
      auto entry = obj->getObject(name);
      if (!entry) throw std::runtime_error("no answer for " + name);
      std::string status = entry->getValue<std::string>("status");
      if (status == "missing") {
        res.missing.push_back(name);
      } else if (status == "notPackage") {
        res.notPackages.push_back(name);
      } else if (status == "ok") {
        ResolvedPackage p{name, entry->getValue<std::string>("attr"),
                          entry->getValue<std::string>("out"), parseMeta(entry->getObject("meta"))};
        if (!isStorePath(p.outPath)) throw std::runtime_error("bad output path " + p.outPath);
        res.found.push_back(std::move(p));
      } else {
        throw std::runtime_error("unexpected status " + status);
      }
    }
  } catch (const std::exception& e) {
    throw Error(ErrorKind::BuildFailed, "unexpected answer from nix-instantiate", e.what());
  }
  return res;
}

PackageList NixDriver::listPackages(const PackageSet& packageSet, const std::string& system,
                                    Deadline deadline) const {
  std::string out = evaluate(packageSet, {}, system, "listing", deadline, {},
                             {"--argstr", "maxEntries", std::to_string(kMaxPackages), "--argstr",
                              "maxDepth", std::to_string(kMaxPackageDepth)});
  try {
    return parsePackageList(out);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::BuildFailed, "unexpected answer from nix-instantiate", e.what());
  }
}

PackageList NixDriver::parsePackageList(const std::string& json) {
  Poco::JSON::Parser parser;
  auto obj = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  auto list = obj ? obj->getArray("packages") : nullptr;
  if (!list) throw std::runtime_error("no package list");
  PackageList out;
  out.truncated = obj->has("truncated") && obj->get("truncated").isBoolean() &&
                  obj->getValue<bool>("truncated");
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto entry = list->getObject(static_cast<unsigned>(i));
    if (!entry) continue;
    auto text = [&](const char* key, std::size_t limit) {
      if (!entry->has(key)) return std::string();
      auto v = entry->get(key);
      return v.isString() ? printableText(v.extract<std::string>(), limit) : std::string();
    };
    PackageEntry p{text("attr", kMaxAttrBytes), text("name", kMaxNameBytes),
                   text("version", kMaxVersionBytes), text("description", kMaxDescriptionBytes)};
    if (p.attr.empty()) continue;
    out.packages.push_back(std::move(p));
    if (out.packages.size() == kMaxPackages) {
      out.truncated = out.truncated || i + 1 < list->size();
      break;
    }
  }
  std::sort(out.packages.begin(), out.packages.end(),
            [](const PackageEntry& a, const PackageEntry& b) { return a.attr < b.attr; });
  return out;
}

void NixDriver::build(const PackageSet& packageSet, const std::vector<std::string>& attrs,
                      const std::string& system, Deadline deadline, const LogSink& log) const {
  std::vector<std::string> argv = {program("nix-build"), "--no-out-link"};
  auto common = commonArgs(packageSet, attrs, system);
  argv.insert(argv.end(), common.begin(), common.end());
  argv.insert(argv.end(), {"-A", "build"});
  ChildResult r = run(argv, deadline, log, stop_, childBase_);
  if (r.timedOut || r.exitCode != 0) failFrom(r, "building with Nix", config_.timeoutSeconds);
}

ChildResult NixDriver::pathInfo(const std::vector<std::string>& outPaths, Deadline deadline) const {
  std::vector<std::string> argv = {program("nix"), "--extra-experimental-features", "nix-command"};
  for (const auto& [k, v] : config_.options) argv.insert(argv.end(), {"--option", k, v});
  argv.insert(argv.end(), {"path-info", "--json", "-r", "--"});
  argv.insert(argv.end(), outPaths.begin(), outPaths.end());
  return run(argv, deadline, {}, stop_, childBase_);
}

sdk::ClosureGraph NixDriver::closure(const std::vector<std::string>& outPaths,
                                     Deadline deadline) const {
  ChildResult r = pathInfo(outPaths, deadline);
  if (r.timedOut || r.exitCode != 0) failFrom(r, "reading the closure", config_.timeoutSeconds);
  try {
    return parsePathInfo(r.out, outPaths);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::BuildFailed, "unexpected answer from nix path-info", e.what());
  }
}

std::optional<sdk::ClosureGraph> NixDriver::closureIfValid(const std::vector<std::string>& outPaths,
                                                           Deadline deadline) const {
  ChildResult r = pathInfo(outPaths, deadline);
  if (r.timedOut) failFrom(r, "reading the closure", config_.timeoutSeconds);
  if (r.exitCode != 0) return std::nullopt;
  try {
    return parsePathInfo(r.out, outPaths);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

sdk::ClosureGraph NixDriver::parsePathInfo(const std::string& json,
                                           const std::vector<std::string>& roots) {
  Poco::JSON::Parser parser;
  auto var = parser.parse(json);
  // Nix up to 2.18 prints a list of objects with "path"; later versions an
  // object keyed by path.
  std::vector<std::pair<std::string, Poco::JSON::Object::Ptr>> entries;
  if (var.type() == typeid(Poco::JSON::Array::Ptr)) {
    auto arr = var.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < arr->size(); ++i) {
      auto o = arr->getObject(static_cast<unsigned>(i));
      if (!o) throw std::runtime_error("entry " + std::to_string(i) + " is not an object");
      entries.emplace_back(o->getValue<std::string>("path"), o);
    }
  } else if (var.type() == typeid(Poco::JSON::Object::Ptr)) {
    auto obj = var.extract<Poco::JSON::Object::Ptr>();
    for (const auto& name : obj->getNames()) {
      auto o = obj->getObject(name);
      if (!o) throw std::runtime_error("entry " + name + " is not an object");
      entries.emplace_back(name, o);
    }
  } else {
    throw std::runtime_error("not a JSON list or object");
  }
  std::map<std::string, sdk::StorePath> byPath;
  for (const auto& [path, o] : entries) {
    sdk::StorePath sp;
    sp.path = path;
    if (!isStorePath(sp.path)) throw std::runtime_error("not a store path: " + sp.path);
    auto size = o->get("narSize");
    if (!size.isInteger() || size.isBoolean() || size.convert<long long>() < 0)
      throw std::runtime_error("bad narSize for " + sp.path);
    sp.narSize = size.convert<std::uint64_t>();
    if (o->has("narHash")) sp.narHash = normalizeNarHash(o->getValue<std::string>("narHash"));
    auto refs = o->getArray("references");
    if (refs) {
      for (std::size_t j = 0; j < refs->size(); ++j) {
        std::string ref = refs->getElement<std::string>(static_cast<unsigned>(j));
        if (ref != sp.path) sp.references.push_back(ref);
      }
    }
    std::sort(sp.references.begin(), sp.references.end());
    sp.references.erase(std::unique(sp.references.begin(), sp.references.end()),
                        sp.references.end());
    if (byPath.count(sp.path)) throw std::runtime_error("duplicate path " + sp.path);
    std::string key = sp.path;
    byPath.emplace(std::move(key), std::move(sp));
  }
  sdk::ClosureGraph g;
  for (auto& [path, sp] : byPath) {
    for (const auto& ref : sp.references)
      if (!byPath.count(ref))
        throw std::runtime_error(path + " refers to " + ref + " outside the closure");
    g.paths.push_back(std::move(sp));
  }
  std::set<std::string> rootSet(roots.begin(), roots.end());
  for (const auto& root : rootSet) {
    if (!byPath.count(root)) throw std::runtime_error("root " + root + " is not in the closure");
    g.roots.push_back(root);
  }
  return g;
}

}  // namespace strata
