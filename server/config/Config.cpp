#include "config/Config.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace strata {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw std::runtime_error("configuration: '" + key + "' " + what);
}

Poco::Dynamic::Var parseValue(const std::string& text) {
  // Poco's parser takes only an object or a list at the top level, so the
  // value is parsed as the one element of a list: numbers, true, false, null
  // and "strings" then parse as JSON too.
  try {
    Poco::JSON::Parser parser;
    auto list = parser.parse("[" + text + "]").extract<Array::Ptr>();
    if (list && list->size() == 1) return list->get(0);
  } catch (const std::exception&) {
  }
  return Poco::Dynamic::Var(text);
}

/// A component of a --set key that indexes a list: decimal digits only.
std::size_t arrayIndex(const std::string& part, const std::string& key) {
  if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("--set: '" + part + "' in '" + key + "' is not an index");
  return std::stoul(part);
}

/// Sets a dotted key ("nix.timeoutSeconds", "sources.0.path") in the tree.
void applyOverride(Object::Ptr root, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::runtime_error("--set expects key=value, got '" + assignment + "'");
  std::string key = assignment.substr(0, eq);
  Poco::Dynamic::Var value = parseValue(assignment.substr(eq + 1));

  std::vector<std::string> parts;
  std::stringstream ss(key);
  for (std::string part; std::getline(ss, part, '.');) {
    if (part.empty()) throw std::runtime_error("--set: empty component in key '" + key + "'");
    parts.push_back(part);
  }
  Poco::Dynamic::Var node = root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (node.type() == typeid(Object::Ptr)) {
      auto obj = node.extract<Object::Ptr>();
      if (!obj->has(part)) obj->set(part, Object::Ptr(new Object(Poco::JSON_PRESERVE_KEY_ORDER)));
      node = obj->get(part);
    } else if (node.type() == typeid(Array::Ptr)) {
      auto arr = node.extract<Array::Ptr>();
      std::size_t idx = arrayIndex(part, key);
      if (idx >= arr->size())
        throw std::runtime_error("--set: index out of range in '" + key + "'");
      node = arr->get(static_cast<unsigned>(idx));
    } else {
      throw std::runtime_error("--set: '" + key + "' goes through a value that is not an object");
    }
  }
  const std::string& last = parts.back();
  if (node.type() == typeid(Object::Ptr)) {
    Object::Ptr obj = node.extract<Object::Ptr>();
    obj->set(last, value);
  } else if (node.type() == typeid(Array::Ptr)) {
    auto arr = node.extract<Array::Ptr>();
    std::size_t idx = arrayIndex(last, key);
    if (idx >= arr->size()) throw std::runtime_error("--set: index out of range in '" + key + "'");
    arr->set(static_cast<unsigned>(idx), value);
  } else {
    throw std::runtime_error("--set: '" + key + "' goes through a value that is not an object");
  }
}

/// Reads typed values out of one JSON object and rejects unknown keys.
class Section {
 public:
  Section(Object::Ptr obj, std::string path, std::set<std::string> known)
      : obj_(std::move(obj)), path_(std::move(path)) {
    for (const auto& name : obj_->getNames())
      if (!known.count(name)) fail(full(name), "is not a known key");
  }

  std::string full(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  bool has(const std::string& key) const { return obj_->has(key) && !obj_->isNull(key); }

  std::string str(const std::string& key, const std::string& def) const {
    if (!has(key)) return def;
    auto v = obj_->get(key);
    if (!v.isString()) fail(full(key), "must be a string");
    return v.extract<std::string>();
  }

  int integer(const std::string& key, int def, int min, int max) const {
    if (!has(key)) return def;
    auto v = obj_->get(key);
    if (!v.isInteger() || v.isBoolean()) fail(full(key), "must be an integer");
    // Poco keeps an integer past the int64 range as UInt64, which would not
    // convert: out of range like any other, not a Poco error without the key.
    if (v.type() == typeid(Poco::UInt64) &&
        v.extract<Poco::UInt64>() > static_cast<Poco::UInt64>(max))
      fail(full(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    long long n = v.convert<long long>();
    if (n < min || n > max)
      fail(full(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return static_cast<int>(n);
  }

  bool boolean(const std::string& key, bool def) const {
    if (!has(key)) return def;
    auto v = obj_->get(key);
    if (!v.isBoolean()) fail(full(key), "must be true or false");
    return v.convert<bool>();
  }

  std::vector<std::string> strings(const std::string& key) const {
    std::vector<std::string> out;
    if (!has(key)) return out;
    auto arr = obj_->getArray(key);
    if (!arr) fail(full(key), "must be a list of strings");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      auto v = arr->get(static_cast<unsigned>(i));
      if (!v.isString()) fail(full(key), "must be a list of strings");
      out.push_back(v.extract<std::string>());
    }
    return out;
  }

  Object::Ptr object(const std::string& key) const {
    if (!has(key)) return new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    auto o = obj_->getObject(key);
    if (!o) fail(full(key), "must be an object");
    return o;
  }

  Array::Ptr array(const std::string& key) const {
    if (!has(key)) return new Array();
    auto a = obj_->getArray(key);
    if (!a) fail(full(key), "must be a list");
    return a;
  }

 private:
  Object::Ptr obj_;
  std::string path_;
};

std::string absolute(const std::string& path) {
  if (path.empty()) return path;
  std::string out = std::filesystem::absolute(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

/// `inner` is `outer` or inside it, symlinks resolved where they exist.
bool within(const std::string& inner, const std::string& outer) {
  std::error_code ec;
  auto a = std::filesystem::weakly_canonical(inner, ec);
  if (ec) a = inner;
  auto b = std::filesystem::weakly_canonical(outer, ec);
  if (ec) b = outer;
  auto [end, _] = std::mismatch(b.begin(), b.end(), a.begin(), a.end());
  return end == b.end();
}

/// What a package set may read (its own folder, its allowedPaths) must not
/// reach what the server keeps from it: the data folder (the signing key,
/// blobs, other sources' checkouts), secrets, other sources. Nix enforces
/// the boundary (restrict-eval); this stops a configuration that would
/// draw it around them.
void checkIsolation(const Config& c) {
  std::vector<std::pair<std::string, std::string>> kept{{c.dataDir, "the data folder (dataDir)"}};
  if (c.storageBackend == "filesystem") kept.push_back({c.storagePath, "storage.path"});
  if (c.databaseBackend == "sqlite") kept.push_back({c.databasePath, "database.path"});
  for (const auto& [file, key] :
       {std::pair{c.auth.signingKeyFile, "auth.signingKeyFile"},
        std::pair{c.s3.secretAccessKeyFile, "storage.s3.secretAccessKeyFile"},
        std::pair{c.postgresql.passwordFile, "database.postgresql.passwordFile"}})
    if (!file.empty()) kept.push_back({file, key});
  for (const auto& s : c.sources) {
    for (const auto& file : {s.credentials.sshKeyFile, s.credentials.tokenFile})
      if (!file.empty()) kept.push_back({file, "the credentials of source '" + s.name + "'"});
  }
  for (std::size_t i = 0; i < c.sources.size(); ++i) {
    const SourceConfig& s = c.sources[i];
    const std::string key = "sources." + std::to_string(i);
    std::vector<std::pair<std::string, std::string>> readable;
    if (s.type == "path") readable.push_back({s.path, key + ".path"});
    for (const auto& p : s.allowedPaths) readable.push_back({p, key + ".allowedPaths"});
    for (const auto& [path, where] : readable) {
      if (within(path, c.dataDir))
        fail(where, "'" + path +
                        "' is inside the data folder (dataDir), which holds the signing "
                        "key and the checkouts of every source");
      for (const auto& [secret, what] : kept)
        if (within(secret, path))
          fail(where, "'" + path + "' would let the package set read " + what + " (" + secret +
                          "); a package set reads only its own folder and allowedPaths");
      // A file or folder inside another source, named explicitly, is the
      // administrator's choice (a shared lib.nix); all of it is not.
      for (const auto& other : c.sources)
        if (other.name != s.name && other.type == "path" && other.path != s.path &&
            within(other.path, path))
          fail(where, "'" + path + "' would let the package set read all of source '" + other.name +
                          "' (" + other.path + ")");
    }
  }
}

bool validName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

/// A prefix is "" or slash-separated lowercase components, as in image names.
bool validPrefix(const std::string& s) {
  if (s.empty()) return true;
  if (s.front() == '/' || s.back() == '/' || s.find("//") != std::string::npos) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
          c == '/'))
      return false;
  return true;
}

}  // namespace

std::string archOfSystem(const std::string& system) {
  if (system == "x86_64-linux") return "amd64";
  if (system == "aarch64-linux") return "arm64";
  return {};
}

namespace {

SourceConfig parseSource(Object::Ptr obj, const std::string& path) {
  Section s(obj, path,
            {"name", "prefix", "type", "path", "url", "defaultRef", "refreshSeconds", "credentials",
             "metaPackages", "alwaysInclude", "allowedPaths", "layering", "maxLayers",
             "compression", "imageFormat", "platforms", "imagesAttribute"});
  SourceConfig src;
  src.name = s.str("name", "");
  if (!validName(src.name)) fail(s.full("name"), "must be 1-64 characters of a-z, 0-9, '-', '_'");
  if (!s.has("prefix")) fail(s.full("prefix"), "is required (use \"\" for the default source)");
  src.prefix = s.str("prefix", "");
  if (!validPrefix(src.prefix))
    fail(s.full("prefix"), "must be empty or lowercase path components separated by '/'");
  src.type = s.str("type", "");
  if (src.type != "path" && src.type != "git" && src.type != "nixpkgs")
    fail(s.full("type"), "must be \"path\", \"git\" or \"nixpkgs\"");
  src.path = absolute(s.str("path", ""));
  src.url = s.str("url", "");
  if (src.type == "path" && src.path.empty()) fail(s.full("path"), "is required for a path source");
  if (src.type != "path" && src.url.empty()) fail(s.full("url"), "is required for a git source");
  src.defaultRef = s.str("defaultRef", src.type == "nixpkgs" ? "nixos-unstable" : "main");
  src.refreshSeconds = s.integer("refreshSeconds", 60, 0, 86400 * 365);

  Section cred(s.object("credentials"), s.full("credentials"),
               {"sshKeyFile", "tokenFile", "username"});
  src.credentials.sshKeyFile = absolute(cred.str("sshKeyFile", ""));
  src.credentials.tokenFile = absolute(cred.str("tokenFile", ""));
  src.credentials.username = cred.str("username", "");

  if (src.type == "nixpkgs") {
    src.metaPackages["shell"] = {"bashInteractive", "coreutils", "moreutils", "nano"};
    src.alwaysInclude = {"cacert", "iana-etc"};
  }
  {
    auto metaObj = s.object("metaPackages");
    auto nameList = metaObj->getNames();
    std::set<std::string> names(nameList.begin(), nameList.end());
    Section metaSec(metaObj, s.full("metaPackages"), names);
    for (const auto& name : names) {
      if (name == "arm64") fail(metaSec.full(name), "is reserved: arm64 selects the architecture");
      src.metaPackages[name] = metaSec.strings(name);
    }
  }
  if (s.has("alwaysInclude")) src.alwaysInclude = s.strings("alwaysInclude");
  for (const auto& p : s.strings("allowedPaths")) {
    if (p.empty()) fail(s.full("allowedPaths"), "holds an empty path");
    src.allowedPaths.push_back(absolute(p));
  }
  if (s.has("layering")) src.layering = s.str("layering", "");
  if (s.has("maxLayers")) src.maxLayers = s.integer("maxLayers", 94, 2, 125);
  src.compression = s.str("compression", "gzip");
  if (src.compression != "gzip" && src.compression != "zstd")
    fail(s.full("compression"), "must be \"gzip\" or \"zstd\"");
  src.imagesAttribute = s.str("imagesAttribute", "images");
  {
    const std::string& a = src.imagesAttribute;
    bool ok = !a.empty() && a.size() <= 64 && !(a[0] >= '0' && a[0] <= '9') && a[0] != '-' &&
              a[0] != '\'';
    for (char c : a)
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '\'');
    if (!ok) fail(s.full("imagesAttribute"), "must be a Nix attribute name such as \"images\"");
  }
  src.imageFormat = s.str("imageFormat", "layers");
  if (src.imageFormat != "layers" && src.imageFormat != "nix-snapshotter")
    fail(s.full("imageFormat"), "must be \"layers\" or \"nix-snapshotter\"");
  if (s.has("platforms")) {
    src.platforms = s.strings("platforms");
    if (src.platforms.empty()) fail(s.full("platforms"), "must name at least one platform");
    std::set<std::string> seen;
    for (const auto& p : src.platforms) {
      if (archOfSystem(p).empty())
        fail(s.full("platforms"), "'" + p + "' is not \"x86_64-linux\" or \"aarch64-linux\"");
      if (!seen.insert(p).second) fail(s.full("platforms"), "names '" + p + "' twice");
    }
  }
  return src;
}

/// A DNS-compatible bucket name (3-63 of a-z 0-9 . -, starting and ending
/// with a letter or digit): it goes into URLs and host names.
bool isBucketName(const std::string& b) {
  if (b.size() < 3 || b.size() > 63) return false;
  auto edge = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  if (!edge(b.front()) || !edge(b.back())) return false;
  for (char ch : b)
    if (!edge(ch) && ch != '.' && ch != '-') return false;
  return true;
}

S3Config s3Config(Object::Ptr obj) {
  Section s(obj, "storage.s3",
            {"endpoint", "bucket", "region", "accessKeyId", "secretAccessKeyFile", "prefix",
             "pathStyle", "redirect", "presignSeconds", "partSizeMiB"});
  S3Config c;
  c.endpoint = s.str("endpoint", "");
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  if (c.endpoint.rfind("http://", 0) != 0 && c.endpoint.rfind("https://", 0) != 0)
    fail("storage.s3.endpoint", "must start with http:// or https://");
  c.bucket = s.str("bucket", "");
  if (!isBucketName(c.bucket))
    fail("storage.s3.bucket", "must be 3-63 characters of a-z, 0-9, '.' and '-'");
  c.region = s.str("region", c.region);
  if (c.region.empty() || c.region.find_first_of("/ \n") != std::string::npos)
    fail("storage.s3.region", "must be a region name such as \"us-east-1\"");
  c.accessKeyId = s.str("accessKeyId", "");
  if (c.accessKeyId.empty() || c.accessKeyId.find_first_of("/ \n") != std::string::npos)
    fail("storage.s3.accessKeyId", "must be set (no '/', no spaces)");
  c.secretAccessKeyFile = absolute(s.str("secretAccessKeyFile", ""));
  if (c.secretAccessKeyFile.empty())
    fail("storage.s3.secretAccessKeyFile", "must name the file holding the secret access key");
  c.prefix = s.str("prefix", "");
  if (!c.prefix.empty() && c.prefix.front() == '/')
    fail("storage.s3.prefix", "must not start with '/'");
  if (!c.prefix.empty() && c.prefix.back() != '/') c.prefix += '/';
  c.pathStyle = s.boolean("pathStyle", c.pathStyle);
  c.redirect = s.boolean("redirect", c.redirect);
  c.presignSeconds = s.integer("presignSeconds", c.presignSeconds, 1, 604800);
  c.partSizeMiB = s.integer("partSizeMiB", c.partSizeMiB, 5, 4096);
  return c;
}

Config fromTree(Object::Ptr root) {
  Section top(root, "",
              {"listen", "publicUrl", "dataDir", "http", "storage", "database", "nix", "gc",
               "cache", "layering", "plugins", "auth", "sources"});
  Config c;
  c.listen = top.str("listen", c.listen);
  c.publicUrl = top.str("publicUrl", c.publicUrl);
  while (!c.publicUrl.empty() && c.publicUrl.back() == '/') c.publicUrl.pop_back();
  if (c.publicUrl.rfind("http://", 0) != 0 && c.publicUrl.rfind("https://", 0) != 0)
    fail("publicUrl", "must start with http:// or https://");
  c.dataDir = absolute(top.str("dataDir", c.dataDir));
  if (c.dataDir.empty()) fail("dataDir", "must not be empty");

  Section http(top.object("http"), "http",
               {"maxConnections", "maxConnectionsPerClient", "requestHeadSeconds", "idleSeconds",
                "drainSeconds"});
  c.http.maxConnections = http.integer("maxConnections", c.http.maxConnections, 8, 4096);
  c.http.maxConnectionsPerClient =
      http.integer("maxConnectionsPerClient", c.http.maxConnectionsPerClient, 0, 4096);
  c.http.requestHeadSeconds = http.integer("requestHeadSeconds", c.http.requestHeadSeconds, 1, 300);
  c.http.idleSeconds = http.integer("idleSeconds", c.http.idleSeconds, 1, 3600);
  c.http.drainSeconds = http.integer("drainSeconds", c.http.drainSeconds, 1, 3600);

  Section storage(top.object("storage"), "storage", {"backend", "path", "sendfile", "s3"});
  c.storageBackend = storage.str("backend", c.storageBackend);
  if (c.storageBackend != "filesystem" && c.storageBackend != "s3")
    fail("storage.backend", "must be \"filesystem\" or \"s3\"");
  c.storagePath = absolute(storage.str("path", ""));
  if (c.storagePath.empty()) c.storagePath = c.dataDir + "/blobs";
  c.storageSendfile = storage.boolean("sendfile", c.storageSendfile);
  if (c.storageBackend == "s3") c.s3 = s3Config(storage.object("s3"));

  Section db(top.object("database"), "database", {"backend", "path", "postgresql"});
  c.databaseBackend = db.str("backend", c.databaseBackend);
  if (c.databaseBackend != "sqlite" && c.databaseBackend != "postgresql")
    fail("database.backend", "must be \"sqlite\" or \"postgresql\"");
  if (c.databaseBackend == "postgresql") {
    Section pg(db.object("postgresql"), "database.postgresql",
               {"connection", "passwordFile", "maxConnections"});
    c.postgresql.connection = pg.str("connection", "");
    if (c.postgresql.connection.empty())
      fail("database.postgresql.connection",
           "must be a libpq connection string, e.g. \"host=db port=5432 dbname=strata "
           "user=strata\"");
    if (c.postgresql.connection.find("password") != std::string::npos)
      fail("database.postgresql.connection",
           "must not hold the password: put it in database.postgresql.passwordFile");
    c.postgresql.passwordFile = absolute(pg.str("passwordFile", ""));
    c.postgresql.maxConnections =
        pg.integer("maxConnections", c.postgresql.maxConnections, 1, 1000);
  }
  c.databasePath = absolute(db.str("path", ""));
  if (c.databasePath.empty()) c.databasePath = c.dataDir + "/strata.db";

  Section nix(top.object("nix"), "nix",
              {"timeoutSeconds", "maxConcurrentBuilds", "maxQueuedBuilds", "buildLeaseSeconds",
               "failureCacheSeconds", "options", "daemon", "user", "binDir"});
  c.nix.timeoutSeconds = nix.integer("timeoutSeconds", c.nix.timeoutSeconds, 1, 86400);
  c.nix.maxConcurrentBuilds = nix.integer("maxConcurrentBuilds", c.nix.maxConcurrentBuilds, 1, 256);
  c.nix.maxQueuedBuilds = nix.integer("maxQueuedBuilds", c.nix.maxQueuedBuilds, 0, 100000);
  c.nix.buildLeaseSeconds = nix.integer("buildLeaseSeconds", c.nix.buildLeaseSeconds, 3, 3600);
  c.nix.failureCacheSeconds =
      nix.integer("failureCacheSeconds", c.nix.failureCacheSeconds, 0, 86400);
  c.nix.daemon = nix.boolean("daemon", c.nix.daemon);
  c.nix.binDir = absolute(nix.str("binDir", ""));
  c.nix.user = nix.str("user", "");
  // Without a daemon Nix writes the store itself: only as root.
  if (!c.nix.user.empty() && !c.nix.daemon)
    fail("nix.user", "needs nix.daemon: without a daemon, Nix must run as the store's owner");
  {
    Section gc(top.object("gc"), "gc", {"intervalSeconds", "minAgeSeconds"});
    c.gc.intervalSeconds = gc.integer("intervalSeconds", c.gc.intervalSeconds, 0, 30 * 86400);
    c.gc.minAgeSeconds = gc.integer("minAgeSeconds", c.gc.minAgeSeconds, 60, 30 * 86400);
    // A build writes its blobs before it records them: a blob younger than
    // the longest build may be about to be referenced.
    if (c.gc.minAgeSeconds < c.nix.timeoutSeconds)
      fail("gc.minAgeSeconds",
           "must be at least nix.timeoutSeconds (" + std::to_string(c.nix.timeoutSeconds) + ")");
  }
  {
    Section cache(top.object("cache"), "cache", {"memoryMiB"});
    c.cache.memoryMiB = cache.integer("memoryMiB", c.cache.memoryMiB, 4, 1 << 20);
  }
  {
    auto opts = nix.object("options");
    auto nameList = opts->getNames();
    std::set<std::string> names(nameList.begin(), nameList.end());
    Section optSec(opts, "nix.options", names);
    for (const auto& name : names) c.nix.options[name] = optSec.str(name, "");
  }

  Section lay(top.object("layering"), "layering", {"strategy", "maxLayers", "popularityFile"});
  c.layering.strategy = lay.str("strategy", c.layering.strategy);
  c.layering.maxLayers = lay.integer("maxLayers", c.layering.maxLayers, 2, 125);
  c.layering.popularityFile = absolute(lay.str("popularityFile", ""));

  Section plugins(top.object("plugins"), "plugins",
                  {"directory", "load", "config", "timeoutSeconds"});
  c.plugins.timeoutSeconds = plugins.integer("timeoutSeconds", c.plugins.timeoutSeconds, 1, 3600);
  c.plugins.directory = absolute(plugins.str("directory", c.plugins.directory));
  c.plugins.load = plugins.strings("load");
  {
    auto cfg = plugins.object("config");
    for (const auto& name : cfg->getNames()) {
      auto obj = cfg->getObject(name);
      if (!obj) fail("plugins.config." + name, "must be an object");
      std::ostringstream out;
      obj->stringify(out);
      c.plugins.config[name] = out.str();
    }
  }

  Section auth(top.object("auth"), "auth",
               {"enabled", "anonymousPull", "tokenTtlSeconds", "signingKeyFile"});
  c.auth.enabled = auth.boolean("enabled", c.auth.enabled);
  c.auth.anonymousPull = auth.boolean("anonymousPull", c.auth.anonymousPull);
  c.auth.tokenTtlSeconds = auth.integer("tokenTtlSeconds", c.auth.tokenTtlSeconds, 10, 86400 * 30);
  c.auth.signingKeyFile = absolute(auth.str("signingKeyFile", ""));

  auto sources = top.array("sources");
  std::set<std::string> names, prefixes;
  for (std::size_t i = 0; i < sources->size(); ++i) {
    std::string path = "sources." + std::to_string(i);
    auto obj = sources->getObject(static_cast<unsigned>(i));
    if (!obj) fail(path, "must be an object");
    SourceConfig src = parseSource(obj, path);
    if (!names.insert(src.name).second) fail(path + ".name", "repeats source '" + src.name + "'");
    if (!prefixes.insert(src.prefix).second)
      fail(path + ".prefix", "repeats prefix '" + src.prefix + "'");
    c.sources.push_back(std::move(src));
  }
  checkIsolation(c);
  return c;
}

}  // namespace

Config parseConfig(const std::string& json, const std::vector<std::string>& overrides) {
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(json);
    if (v.type() != typeid(Object::Ptr))
      throw std::runtime_error("configuration: the top level must be a JSON object");
    root = v.extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("configuration: not valid JSON: " + e.displayText());
  }
  for (const auto& o : overrides) applyOverride(root, o);
  return fromTree(root);
}

LayeringChoice layeringOf(const Config& config, const SourceConfig& source) {
  return {source.layering.value_or(config.layering.strategy),
          source.maxLayers.value_or(config.layering.maxLayers)};
}

Config loadConfig(const std::string& file, const std::vector<std::string>& overrides) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("configuration: cannot read '" + file + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parseConfig(ss.str(), overrides);
}

}  // namespace strata
