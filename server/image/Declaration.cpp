#include "image/Declaration.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <set>

#include "util/Error.h"
#include "util/MemoryBytes.h"
#include "util/StorePath.h"

namespace strata {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// Bounds on what a declaration may hold: an image config is small, and the
// package set is not trusted to keep it so.
constexpr std::size_t kMaxListEntries = 256;
constexpr std::size_t kMaxStringBytes = 4096;
constexpr std::size_t kMaxMapEntries = 256;
constexpr unsigned kMaxId = 65533;  // below nobody (65534) and the 16-bit "-1"

const std::set<std::string> kDeclarationKeys{"contents", "config", "user"};
const std::set<std::string> kConfigKeys{"Entrypoint",   "Cmd",    "Env",     "WorkingDir", "User",
                                        "ExposedPorts", "Labels", "Volumes", "StopSignal"};
const std::set<std::string> kUserKeys{"name", "uid", "gid"};

/// What strata.nix put in place of a value JSON cannot hold, or "".
std::string invalidMarker(const Var& v) {
  if (v.type() != typeid(Object::Ptr)) return "";
  auto o = v.extract<Object::Ptr>();
  if (!o || !o->has("__strataInvalid")) return "";
  Var why = o->get("__strataInvalid");
  return why.isString() ? why.extract<std::string>() : "invalid";
}

std::string kindOf(const Var& v) {
  if (std::string marker = invalidMarker(v); !marker.empty()) return marker;
  if (v.isEmpty()) return "null";
  if (v.type() == typeid(Object::Ptr)) return "a set";
  if (v.type() == typeid(Array::Ptr)) return "a list";
  if (v.isString()) return "a string";
  if (v.isBoolean()) return "a Boolean";
  if (v.isNumeric()) return "a number";
  return "a value of another type";
}

/// Checks one declaration, naming it and the key in every error.
class Checker {
 public:
  explicit Checker(std::string image) : image_(std::move(image)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw Error(ErrorKind::BuildFailed, "declared image '" + image_ + "': " + key + " " + what +
                                            " (docs/images.md says what a declaration may hold)");
  }

  std::string string(const Var& v, const std::string& key) const {
    if (!v.isString()) fail(key, "must be a string, not " + kindOf(v));
    std::string s = v.extract<std::string>();
    if (s.size() > kMaxStringBytes)
      fail(key, "is longer than " + std::to_string(kMaxStringBytes) + " bytes");
    if (s.find('\0') != std::string::npos) fail(key, "holds a NUL character");
    return s;
  }

  std::vector<std::string> strings(const Var& v, const std::string& key) const {
    if (v.type() != typeid(Array::Ptr)) fail(key, "must be a list of strings, not " + kindOf(v));
    auto list = v.extract<Array::Ptr>();
    if (list->size() > kMaxListEntries)
      fail(key, "has more than " + std::to_string(kMaxListEntries) + " entries");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < list->size(); ++i)
      out.push_back(
          string(list->get(static_cast<unsigned>(i)), key + "[" + std::to_string(i) + "]"));
    return out;
  }

  Object::Ptr set(const Var& v, const std::string& key) const {
    if (v.type() != typeid(Object::Ptr) || !invalidMarker(v).empty())
      fail(key, "must be a set, not " + kindOf(v));
    auto o = v.extract<Object::Ptr>();
    if (o->size() > kMaxMapEntries)
      fail(key, "has more than " + std::to_string(kMaxMapEntries) + " entries");
    return o;
  }

  void onlyKeys(const Object::Ptr& o, const std::set<std::string>& allowed,
                const std::string& where) const {
    for (const auto& k : o->getNames())
      if (!allowed.count(k)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(where + (where.empty() ? "" : ".") + k, "is not a known key (known: " + list + ")");
      }
  }

  /// A set whose values are empty sets ({ "8080/tcp" = { }; }), as Docker's
  /// ExposedPorts and Volumes are: its names.
  std::vector<std::string> nameSet(const Var& v, const std::string& key) const {
    auto o = set(v, key);
    std::vector<std::string> names;
    for (const auto& k : o->getNames()) {
      Var value = o->get(k);
      bool emptySet = value.type() == typeid(Object::Ptr) && invalidMarker(value).empty() &&
                      value.extract<Object::Ptr>()->size() == 0;
      if (!emptySet) fail(key + "." + k, "must be { }, not " + kindOf(value));
      names.push_back(string(Var(k), key + " name"));
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  unsigned id(const Var& v, const std::string& key) const {
    if (!v.isInteger() || v.isBoolean()) fail(key, "must be a whole number, not " + kindOf(v));
    long long n = v.convert<long long>();
    if (n < 1 || n > kMaxId) fail(key, "must be between 1 and " + std::to_string(kMaxId));
    return static_cast<unsigned>(n);
  }

  const std::string& image() const { return image_; }

 private:
  std::string image_;
};

bool isAbsoluteCleanPath(const std::string& p) {
  if (p.empty() || p.front() != '/' || p.size() > 1024) return false;
  std::size_t start = 1;
  while (start <= p.size()) {
    std::size_t slash = p.find('/', start);
    std::string part =
        p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "." || part == ".." || (part.empty() && slash != std::string::npos)) return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

ContainerConfig parseConfig(const Checker& c, const Var& raw) {
  ContainerConfig cfg;
  auto o = c.set(raw, "config");
  c.onlyKeys(o, kConfigKeys, "config");
  if (o->has("Entrypoint")) cfg.entrypoint = c.strings(o->get("Entrypoint"), "config.Entrypoint");
  if (o->has("Cmd")) cfg.cmd = c.strings(o->get("Cmd"), "config.Cmd");
  if (o->has("Env")) {
    cfg.env = c.strings(o->get("Env"), "config.Env");
    for (std::size_t i = 0; i < cfg.env.size(); ++i) {
      auto eq = cfg.env[i].find('=');
      if (eq == std::string::npos || eq == 0)
        c.fail("config.Env[" + std::to_string(i) + "]", "must be \"NAME=value\"");
    }
  }
  if (o->has("WorkingDir")) {
    cfg.workingDir = c.string(o->get("WorkingDir"), "config.WorkingDir");
    if (!isAbsoluteCleanPath(cfg.workingDir))
      c.fail("config.WorkingDir", "must be an absolute path without '.' or '..' components");
  }
  if (o->has("User")) {
    cfg.user = c.string(o->get("User"), "config.User");
    if (cfg.user.empty() || cfg.user.size() > 64)
      c.fail("config.User", "must be a user name or uid[:gid] of 1 to 64 bytes");
  }
  if (o->has("ExposedPorts")) {
    cfg.exposedPorts = c.nameSet(o->get("ExposedPorts"), "config.ExposedPorts");
    for (const auto& port : cfg.exposedPorts) {
      auto slash = port.find('/');
      std::string number = port.substr(0, slash);
      std::string proto = slash == std::string::npos ? "tcp" : port.substr(slash + 1);
      bool digits =
          !number.empty() && number.size() <= 5 &&
          std::all_of(number.begin(), number.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      if (!digits || std::stoi(number) < 1 || std::stoi(number) > 65535 ||
          (proto != "tcp" && proto != "udp" && proto != "sctp"))
        c.fail("config.ExposedPorts." + port, "must be PORT/tcp, PORT/udp or PORT/sctp");
    }
  }
  if (o->has("Labels")) {
    auto labels = c.set(o->get("Labels"), "config.Labels");
    for (const auto& k : labels->getNames()) {
      std::string key = c.string(Var(k), "config.Labels name");
      if (key.empty()) c.fail("config.Labels", "has an empty name");
      cfg.labels[key] = c.string(labels->get(k), "config.Labels." + k);
    }
  }
  if (o->has("Volumes")) {
    cfg.volumes = c.nameSet(o->get("Volumes"), "config.Volumes");
    for (const auto& v : cfg.volumes)
      if (!isAbsoluteCleanPath(v)) c.fail("config.Volumes." + v, "must be an absolute path");
  }
  if (o->has("StopSignal")) {
    cfg.stopSignal = c.string(o->get("StopSignal"), "config.StopSignal");
    const std::string& s = cfg.stopSignal;
    bool name =
        s.size() > 3 && s.size() <= 16 && s.rfind("SIG", 0) == 0 &&
        std::all_of(s.begin() + 3, s.end(), [](char ch) {
          return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '+' || ch == '-';
        });
    bool number = !s.empty() && s.size() <= 2 &&
                  std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!name && !number) c.fail("config.StopSignal", "must be a signal name (SIGTERM) or number");
  }
  return cfg;
}

std::optional<ImageUser> parseUser(const Checker& c, const Var& raw) {
  if (raw.isEmpty()) return std::nullopt;
  auto o = c.set(raw, "user");
  c.onlyKeys(o, kUserKeys, "user");
  for (const auto& k : kUserKeys)
    if (!o->has(k)) c.fail("user." + k, "is missing");
  ImageUser user;
  user.name = c.string(o->get("name"), "user.name");
  bool valid = !user.name.empty() && user.name.size() <= 32 &&
               ((user.name[0] >= 'a' && user.name[0] <= 'z') || user.name[0] == '_');
  for (char ch : user.name)
    valid =
        valid && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-');
  if (!valid)
    c.fail(
        "user.name",
        "must be 1 to 32 lowercase letters, digits, '_' or '-', not starting with a digit or '-'");
  if (user.name == "root" || user.name == "nobody")
    c.fail("user.name", "must not be '" + user.name + "': the image has that account already");
  user.uid = c.id(o->get("uid"), "user.uid");
  user.gid = c.id(o->get("gid"), "user.gid");
  return user;
}

std::vector<DeclaredPackage> parseContents(const Checker& c, const Object::Ptr& decl) {
  std::vector<DeclaredPackage> out;
  auto wrapper = decl->getObject("contents");
  if (!wrapper) c.fail("contents", "is missing from Nix's answer");
  if (wrapper->has("invalid"))
    c.fail("contents", "must be a list of packages, not " + kindOf(wrapper->get("invalid")));
  auto list = wrapper->getArray("list");
  if (!list) c.fail("contents", "must be a list of packages");
  if (list->size() > kMaxListEntries)
    c.fail("contents", "has more than " + std::to_string(kMaxListEntries) + " entries");
  for (std::size_t i = 0; i < list->size(); ++i) {
    std::string key = "contents[" + std::to_string(i) + "]";
    auto entry = list->getObject(static_cast<unsigned>(i));
    if (!entry) c.fail(key, "is not what strata.nix describes");
    Var status = entry->get("status");
    if (!status.isString() || status.extract<std::string>() != "ok")
      c.fail(key, "must be a package, not " + kindOf(entry->get("found")));
    DeclaredPackage p;
    p.name = printableText(c.string(entry->get("name"), key + ".name"), 200);
    p.outPath = c.string(entry->get("out"), key + ".outPath");
    if (!isStorePath(p.outPath)) c.fail(key, "has no store path as its output");
    p.meta = parsePackageMeta(entry->getObject("meta"));
    out.push_back(std::move(p));
  }
  return out;
}

ImageDeclaration parseOne(const Object::Ptr& decl) {
  Var attr = decl->get("attr");
  std::string name = attr.isString() ? printableText(attr.extract<std::string>(), 200) : "?";
  Checker c(name);
  if (decl->has("invalid"))
    c.fail("the declaration", "must be a set, not " + kindOf(decl->get("invalid")));
  auto keys = decl->getArray("keys");
  if (!keys) c.fail("the declaration", "is not what strata.nix describes");
  for (std::size_t i = 0; i < keys->size(); ++i) {
    std::string key = keys->getElement<std::string>(static_cast<unsigned>(i));
    if (!kDeclarationKeys.count(key))
      c.fail(printableText(key, 100),
             "is not a known key (known: contents, config, user; the image's name is its "
             "attribute name)");
  }
  ImageDeclaration d;
  d.name = name;
  d.contents = parseContents(c, decl);
  d.config = parseConfig(c, decl->get("config"));
  d.user = parseUser(c, decl->get("user"));
  return d;
}

Object::Ptr parseObject(const std::string& json) {
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(json);
    if (v.type() == typeid(Object::Ptr)) return v.extract<Object::Ptr>();
  } catch (const std::exception&) {
  }
  throw Error(ErrorKind::BuildFailed, "unexpected answer from nix-instantiate",
              "a declared image is not a JSON object");
}

}  // namespace

std::vector<std::string> ImageDeclaration::packageNames() const {
  std::vector<std::string> names;
  for (const auto& p : contents) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::vector<std::string> ImageDeclaration::storePathsNamed() const {
  std::vector<std::string> texts;
  auto add = [&](const std::vector<std::string>& v) {
    texts.insert(texts.end(), v.begin(), v.end());
  };
  if (config.entrypoint) add(*config.entrypoint);
  if (config.cmd) add(*config.cmd);
  add(config.env);
  texts.push_back(config.workingDir);
  std::set<std::string> paths;
  static const std::string kStore = "/nix/store/";
  for (const auto& text : texts) {
    for (auto at = text.find(kStore); at != std::string::npos; at = text.find(kStore, at + 1)) {
      std::size_t end = at + kStore.size();
      while (end < text.size() && text[end] != '/' && text[end] != ':' && text[end] != ' ' &&
             text[end] != '"' && text[end] != '\'' && text[end] != '=')
        ++end;
      std::string path = text.substr(at, end - at);
      if (isStorePath(path)) paths.insert(path);
    }
  }
  return {paths.begin(), paths.end()};
}

ImageDeclaration parseDeclaration(const std::string& json) {
  return parseOne(parseObject(json));
}

DeclarationListing parseDeclarations(const std::string& json) {
  DeclarationListing out;
  auto all = parseObject(json);
  std::vector<std::string> names = all->getNames();
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    auto decl = all->getObject(name);
    try {
      if (!decl) throw Error(ErrorKind::BuildFailed, "declared image '" + name + "' is not a set");
      out.images.push_back(parseOne(decl));
    } catch (const Error& e) {
      out.invalid.emplace_back(printableText(name, 200), e.what());
    }
  }
  return out;
}

// Internal linkage in this namespace (not an unnamed one), so that these
// overloads and MemoryBytes.h's are found together.
template <typename T>
static std::size_t heapBytes(const std::optional<T>& v) {
  return v ? heapBytes(*v) : 0;
}
static std::size_t heapBytes(const ContainerConfig& c) {
  // A map node: three links, a colour and the pair.
  std::size_t labels = c.labels.size() * (4 * sizeof(void*) + 2 * sizeof(std::string));
  for (const auto& [k, v] : c.labels) labels += heapBytes(k) + heapBytes(v);
  return heapBytes(c.entrypoint) + heapBytes(c.cmd) + heapBytes(c.env) + heapBytes(c.workingDir) +
         heapBytes(c.user) + heapBytes(c.exposedPorts) + labels + heapBytes(c.volumes) +
         heapBytes(c.stopSignal);
}
static std::size_t heapBytes(const DeclaredPackage& p) {
  return heapBytes(p.name) + heapBytes(p.outPath) + heapBytes(p.meta);
}
static std::size_t heapBytes(const ImageUser& u) {
  return heapBytes(u.name);
}
static std::size_t heapBytes(const ImageDeclaration& d) {
  return heapBytes(d.name) + heapBytes(d.contents) + heapBytes(d.config) + heapBytes(d.user);
}

std::size_t heapBytes(const DeclarationListing& listing) {
  return heapBytes(listing.images) + heapBytes(listing.invalid);
}

}  // namespace strata
