#include "config/Config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../support/TestSupport.h"

namespace strata {
namespace {

std::string cwd() {
  return std::filesystem::current_path().string();
}

/// The runtime_error message of parseConfig (the test fails when it accepts).
std::string errorOf(const std::string& json, const std::vector<std::string>& overrides = {}) {
  try {
    parseConfig(json, overrides);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << json;
  return "";
}

#define EXPECT_MENTIONS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

const char* kPathSource = R"({"name":"demo","prefix":"demo","type":"path","path":"/pkgs"})";

TEST(Config, DefaultsForAnEmptyObject) {
  Config c = parseConfig("{}", {});
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.publicUrl, "http://127.0.0.1:8080");
  EXPECT_EQ(c.dataDir, cwd() + "/var");
  EXPECT_EQ(c.storageBackend, "filesystem");
  EXPECT_EQ(c.storagePath, cwd() + "/var/blobs");
  EXPECT_EQ(c.databaseBackend, "sqlite");
  EXPECT_EQ(c.databasePath, cwd() + "/var/strata.db");
  EXPECT_EQ(c.nix.timeoutSeconds, 600);
  EXPECT_EQ(c.nix.maxConcurrentBuilds, 2);
  EXPECT_EQ(c.nix.maxQueuedBuilds, 32);
  EXPECT_TRUE(c.nix.options.empty());
  EXPECT_EQ(c.layering.strategy, "closure");
  EXPECT_EQ(c.layering.maxLayers, 94);
  EXPECT_EQ(c.layering.popularityFile, "");
  EXPECT_EQ(c.plugins.directory, cwd() + "/build/plugins");
  EXPECT_TRUE(c.plugins.load.empty());
  EXPECT_TRUE(c.plugins.config.empty());
  EXPECT_FALSE(c.auth.enabled);
  EXPECT_FALSE(c.auth.anonymousPull);
  EXPECT_EQ(c.auth.tokenTtlSeconds, 900);
  EXPECT_EQ(c.auth.signingKeyFile, "");
  EXPECT_TRUE(c.sources.empty());
}

TEST(Config, NullMeansDefault) {
  Config c = parseConfig(R"({"listen":null,"nix":{"timeoutSeconds":null}})", {});
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.nix.timeoutSeconds, 600);
}

TEST(Config, EverySection) {
  Config c = parseConfig(R"({
    "listen": "0.0.0.0:5000",
    "publicUrl": "https://registry.example.com//",
    "dataDir": "/srv/strata",
    "storage": {"backend": "filesystem", "path": "/data/blobs"},
    "database": {"backend": "sqlite", "path": "/data/meta.db"},
    "nix": {"timeoutSeconds": 30, "maxConcurrentBuilds": 4, "maxQueuedBuilds": 0,
            "options": {"substituters": "https://cache.example", "sandbox": "false"}},
    "layering": {"strategy": "flat", "maxLayers": 50, "popularityFile": "/etc/pop.json"},
    "plugins": {"directory": "/opt/plugins", "load": ["flat", "policy"],
                "config": {"policy": {"allow": ["a"], "n": 1}}},
    "auth": {"enabled": true, "anonymousPull": true, "tokenTtlSeconds": 60,
             "signingKeyFile": "/etc/strata/key.pem"},
    "sources": [)" + std::string(kPathSource) +
                             R"(]
  })",
                         {});
  EXPECT_EQ(c.listen, "0.0.0.0:5000");
  EXPECT_EQ(c.publicUrl, "https://registry.example.com");  // trailing slashes dropped
  EXPECT_EQ(c.dataDir, "/srv/strata");
  EXPECT_EQ(c.storagePath, "/data/blobs");
  EXPECT_EQ(c.databasePath, "/data/meta.db");
  EXPECT_EQ(c.nix.timeoutSeconds, 30);
  EXPECT_EQ(c.nix.maxConcurrentBuilds, 4);
  EXPECT_EQ(c.nix.maxQueuedBuilds, 0);
  EXPECT_EQ(c.nix.options, (std::map<std::string, std::string>{
                               {"sandbox", "false"}, {"substituters", "https://cache.example"}}));
  EXPECT_EQ(c.layering.strategy, "flat");
  EXPECT_EQ(c.layering.maxLayers, 50);
  EXPECT_EQ(c.layering.popularityFile, "/etc/pop.json");
  EXPECT_EQ(c.plugins.directory, "/opt/plugins");
  EXPECT_EQ(c.plugins.load, (std::vector<std::string>{"flat", "policy"}));
  ASSERT_EQ(c.plugins.config.count("policy"), 1u);
  EXPECT_MENTIONS(c.plugins.config["policy"], R"("allow":["a"])");
  EXPECT_MENTIONS(c.plugins.config["policy"], R"("n":1)");
  EXPECT_TRUE(c.auth.enabled);
  EXPECT_TRUE(c.auth.anonymousPull);
  EXPECT_EQ(c.auth.tokenTtlSeconds, 60);
  EXPECT_EQ(c.auth.signingKeyFile, "/etc/strata/key.pem");
  ASSERT_EQ(c.sources.size(), 1u);
  EXPECT_EQ(c.sources[0].name, "demo");
  EXPECT_EQ(c.sources[0].prefix, "demo");
  EXPECT_EQ(c.sources[0].type, "path");
  EXPECT_EQ(c.sources[0].path, "/pkgs");
  EXPECT_EQ(c.sources[0].defaultRef, "main");
  EXPECT_EQ(c.sources[0].refreshSeconds, 60);
  EXPECT_FALSE(c.sources[0].layering.has_value());
  EXPECT_FALSE(c.sources[0].maxLayers.has_value());
}

TEST(Config, StorageAndDatabaseDefaultUnderDataDir) {
  Config c = parseConfig(R"({"dataDir":"/srv/x","storage":{"path":""},"database":{}})", {});
  EXPECT_EQ(c.storagePath, "/srv/x/blobs");
  EXPECT_EQ(c.databasePath, "/srv/x/strata.db");
}

TEST(Config, RelativePathsBecomeAbsolute) {
  Config c = parseConfig(R"({
    "dataDir": "state",
    "storage": {"path": "b/lobs"},
    "database": {"path": "db/strata.db"},
    "layering": {"popularityFile": "pop.json"},
    "plugins": {"directory": "plug"},
    "auth": {"signingKeyFile": "keys/k.pem"},
    "sources": [{"name":"s","prefix":"","type":"path","path":"pkgs",
                 "credentials":{"sshKeyFile":"id_ed25519"}}]
  })",
                         {});
  EXPECT_EQ(c.dataDir, cwd() + "/state");
  EXPECT_EQ(c.storagePath, cwd() + "/b/lobs");
  EXPECT_EQ(c.databasePath, cwd() + "/db/strata.db");
  EXPECT_EQ(c.layering.popularityFile, cwd() + "/pop.json");
  EXPECT_EQ(c.plugins.directory, cwd() + "/plug");
  EXPECT_EQ(c.auth.signingKeyFile, cwd() + "/keys/k.pem");
  EXPECT_EQ(c.sources[0].path, cwd() + "/pkgs");
  EXPECT_EQ(c.sources[0].credentials.sshKeyFile, cwd() + "/id_ed25519");
}

TEST(Config, UnknownKeysAreRejectedByName) {
  EXPECT_MENTIONS(errorOf(R"({"lisen":"x"})"), "'lisen'");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"timeout":5}})"), "'nix.timeout'");
  EXPECT_MENTIONS(errorOf(R"({"auth":{"enable":true}})"), "'auth.enable'");
  EXPECT_MENTIONS(errorOf(R"({"storage":{"bucket":"b"}})"), "'storage.bucket'");
  EXPECT_MENTIONS(
      errorOf(R"({"sources":[{"name":"a","prefix":"","type":"path","path":"/p","colour":1}]})"),
      "'sources.0.colour'");
  EXPECT_MENTIONS(errorOf(R"({"sources":[{"name":"a","prefix":"","type":"git","url":"u",
                                          "credentials":{"password":"x"}}]})"),
                  "'sources.0.credentials.password'");
}

TEST(Config, WrongTypesAreRejectedByName) {
  EXPECT_MENTIONS(errorOf(R"({"listen":8080})"), "'listen' must be a string");
  EXPECT_MENTIONS(errorOf(R"({"nix":"fast"})"), "'nix' must be an object");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"timeoutSeconds":"10"}})"),
                  "'nix.timeoutSeconds' must be an integer");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"timeoutSeconds":1.5}})"), "'nix.timeoutSeconds'");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"timeoutSeconds":true}})"),
                  "'nix.timeoutSeconds' must be an integer");
  EXPECT_MENTIONS(errorOf(R"({"auth":{"enabled":1}})"), "'auth.enabled' must be true or false");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"options":{"sandbox":false}}})"),
                  "'nix.options.sandbox' must be a string");
  EXPECT_MENTIONS(errorOf(R"({"auth":{"enabled":"yes"}})"), "'auth.enabled' must be true or false");
  EXPECT_MENTIONS(errorOf(R"({"plugins":{"load":"flat"}})"), "'plugins.load'");
  EXPECT_MENTIONS(errorOf(R"({"plugins":{"load":[1]}})"), "'plugins.load'");
  EXPECT_MENTIONS(errorOf(R"({"plugins":{"config":{"p":3}}})"), "'plugins.config.p'");
  EXPECT_MENTIONS(errorOf(R"({"sources":{}})"), "'sources' must be a list");
  EXPECT_MENTIONS(errorOf(R"({"sources":[1]})"), "'sources.0' must be an object");
}

TEST(Config, ValuesOutOfRangeAreRejected) {
  EXPECT_MENTIONS(errorOf(R"({"nix":{"timeoutSeconds":0}})"), "'nix.timeoutSeconds'");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"maxConcurrentBuilds":0}})"), "'nix.maxConcurrentBuilds'");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"maxQueuedBuilds":-1}})"), "'nix.maxQueuedBuilds'");
  EXPECT_MENTIONS(errorOf(R"({"layering":{"maxLayers":1}})"), "'layering.maxLayers'");
  EXPECT_MENTIONS(errorOf(R"({"layering":{"maxLayers":126}})"), "'layering.maxLayers'");
  EXPECT_MENTIONS(errorOf(R"({"auth":{"tokenTtlSeconds":5}})"), "'auth.tokenTtlSeconds'");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"timeoutSeconds":99999999999}})"), "'nix.timeoutSeconds'");
  // Found by tests/fuzz/fuzz_json: past int64, Poco's own "Out of range"
  // escaped without the key.
  EXPECT_MENTIONS(errorOf(R"({"nix":{"timeoutSeconds":18446744073709551615}})"),
                  "'nix.timeoutSeconds' must be between");
  EXPECT_MENTIONS(errorOf(R"({"gc":{"intervalSeconds":9223372036854775808}})"),
                  "'gc.intervalSeconds' must be between");
  EXPECT_MENTIONS(errorOf(R"({"publicUrl":"ftp://x"})"), "'publicUrl'");
  EXPECT_MENTIONS(errorOf(R"({"dataDir":""})"), "'dataDir'");
  EXPECT_MENTIONS(errorOf(R"({"storage":{"backend":"ftp"}})"), "'storage.backend'");
  // s3 is a backend; it then needs its own section.
  EXPECT_MENTIONS(errorOf(R"({"storage":{"backend":"s3"}})"), "'storage.s3.endpoint'");
  EXPECT_MENTIONS(errorOf(R"({"database":{"backend":"postgres"}})"), "'database.backend'");
  EXPECT_EQ(parseConfig(R"({"layering":{"maxLayers":2}})", {}).layering.maxLayers, 2);
  EXPECT_EQ(parseConfig(R"({"layering":{"maxLayers":125}})", {}).layering.maxLayers, 125);
}

TEST(Config, ReplicasAndGarbageCollection) {
  Config d = parseConfig("{}", {});
  EXPECT_EQ(d.nix.buildLeaseSeconds, 30);
  EXPECT_EQ(d.gc.intervalSeconds, 0);
  EXPECT_EQ(d.gc.minAgeSeconds, 3600);
  Config c = parseConfig(
      R"({"nix":{"buildLeaseSeconds":6,"timeoutSeconds":100},"gc":{"intervalSeconds":60,"minAgeSeconds":120}})",
      {});
  EXPECT_EQ(c.nix.buildLeaseSeconds, 6);
  EXPECT_EQ(c.gc.intervalSeconds, 60);
  EXPECT_EQ(c.gc.minAgeSeconds, 120);
  EXPECT_MENTIONS(errorOf(R"({"nix":{"buildLeaseSeconds":2}})"), "'nix.buildLeaseSeconds'");
  EXPECT_MENTIONS(errorOf(R"({"gc":{"intervalSeconds":-1}})"), "'gc.intervalSeconds'");
  EXPECT_MENTIONS(errorOf(R"({"gc":{"minAgeSeconds":300}})"), "at least nix.timeoutSeconds (600)");
  EXPECT_MENTIONS(errorOf(R"({"gc":{"every":1}})"), "'gc.every'");
}

TEST(Config, InvalidJson) {
  EXPECT_MENTIONS(errorOf("{"), "not valid JSON");
  EXPECT_MENTIONS(errorOf(""), "configuration");
  EXPECT_THROW(parseConfig("[]", {}), std::runtime_error);
  EXPECT_THROW(parseConfig("42", {}), std::runtime_error);
}

// ---------------------------------------------------------------------------
// Sources

std::string withSources(const std::string& list) {
  return R"({"sources":[)" + list + "]}";
}

TEST(Config, SourceKindsAndDefaults) {
  Config c = parseConfig(withSources(R"(
    {"name":"local","prefix":"","type":"path","path":"/pkgs",
     "metaPackages":{"shell":["busybox"],"dev":["gcc","gdb"]},"alwaysInclude":["cacert"],
     "layering":"flat","maxLayers":20},
    {"name":"acme","prefix":"acme/team","type":"git","url":"ssh://git@example.com/acme.git",
     "defaultRef":"release","refreshSeconds":0,
     "credentials":{"sshKeyFile":"/k","tokenFile":"/t","username":"bot"}},
    {"name":"nixpkgs","prefix":"nixpkgs","type":"nixpkgs","url":"https://github.com/NixOS/nixpkgs"}
  )"),
                         {});
  ASSERT_EQ(c.sources.size(), 3u);
  const auto& local = c.sources[0];
  EXPECT_EQ(local.metaPackages.at("shell"), (std::vector<std::string>{"busybox"}));
  EXPECT_EQ(local.metaPackages.at("dev"), (std::vector<std::string>{"gcc", "gdb"}));
  EXPECT_EQ(local.alwaysInclude, (std::vector<std::string>{"cacert"}));
  EXPECT_EQ(local.layering, "flat");
  EXPECT_EQ(local.maxLayers, 20);
  const auto& acme = c.sources[1];
  EXPECT_EQ(acme.type, "git");
  EXPECT_EQ(acme.prefix, "acme/team");
  EXPECT_EQ(acme.url, "ssh://git@example.com/acme.git");
  EXPECT_EQ(acme.defaultRef, "release");
  EXPECT_EQ(acme.refreshSeconds, 0);
  EXPECT_EQ(acme.credentials.sshKeyFile, "/k");
  EXPECT_EQ(acme.credentials.tokenFile, "/t");
  EXPECT_EQ(acme.credentials.username, "bot");
  EXPECT_TRUE(acme.metaPackages.empty());
  EXPECT_TRUE(acme.alwaysInclude.empty());
  const auto& nixpkgs = c.sources[2];
  EXPECT_EQ(nixpkgs.defaultRef, "nixos-unstable");
  EXPECT_EQ(nixpkgs.metaPackages.at("shell"),
            (std::vector<std::string>{"bashInteractive", "coreutils", "moreutils", "nano"}));
  EXPECT_EQ(nixpkgs.alwaysInclude, (std::vector<std::string>{"cacert", "iana-etc"}));
}

TEST(Config, NixpkgsDefaultsCanBeOverridden) {
  Config c = parseConfig(withSources(R"(
    {"name":"n","prefix":"","type":"nixpkgs","url":"u",
     "metaPackages":{"shell":["zsh"],"py":["python3"]},"alwaysInclude":[]}
  )"),
                         {});
  EXPECT_EQ(c.sources[0].metaPackages.at("shell"), (std::vector<std::string>{"zsh"}));
  EXPECT_EQ(c.sources[0].metaPackages.at("py"), (std::vector<std::string>{"python3"}));
  EXPECT_TRUE(c.sources[0].alwaysInclude.empty());
}

TEST(Config, SourceValidation) {
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"Demo","prefix":"","type":"path","path":"/p"})")),
                  "'sources.0.name'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"prefix":"","type":"path","path":"/p"})")),
                  "'sources.0.name'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","type":"path","path":"/p"})")),
                  "'sources.0.prefix' is required");
  for (const char* prefix : {"/a", "a/", "a//b", "A", "a b"}) {
    SCOPED_TRACE(prefix);
    EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":")" + std::string(prefix) +
                                        R"(","type":"path","path":"/p"})")),
                    "'sources.0.prefix'");
  }
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"","type":"svn","url":"u"})")),
                  "'sources.0.type'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"","type":"path"})")),
                  "'sources.0.path'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"","type":"git"})")),
                  "'sources.0.url'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"","type":"nixpkgs"})")),
                  "'sources.0.url'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"","type":"path","path":"/p",
                                          "metaPackages":{"arm64":["x"]}})")),
                  "'sources.0.metaPackages.arm64'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"","type":"path","path":"/p",
                                          "metaPackages":{"shell":"busybox"}})")),
                  "'sources.0.metaPackages.shell'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"","type":"path","path":"/p",
                                          "refreshSeconds":-1})")),
                  "'sources.0.refreshSeconds'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"","type":"path","path":"/p",
                                          "maxLayers":500})")),
                  "'sources.0.maxLayers'");
}

TEST(Config, DuplicateSourceNamesAndPrefixesAreRejected) {
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"x","type":"path","path":"/p"},
                                         {"name":"a","prefix":"y","type":"path","path":"/q"})")),
                  "'sources.1.name'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"x","type":"path","path":"/p"},
                                         {"name":"b","prefix":"x","type":"path","path":"/q"})")),
                  "'sources.1.prefix'");
  EXPECT_MENTIONS(errorOf(withSources(R"({"name":"a","prefix":"","type":"path","path":"/p"},
                                         {"name":"b","prefix":"","type":"path","path":"/q"})")),
                  "repeats prefix");
}

// ---------------------------------------------------------------------------
// --set overrides

TEST(ConfigOverrides, ScalarsParsedAsJsonOrTakenAsStrings) {
  Config c = parseConfig(
      "{}", {"nix.timeoutSeconds=30", "listen=0.0.0.0:9000", "auth.enabled=true",
             "publicUrl=https://r.example", "layering.strategy=\"flat\"", "dataDir=/srv/d"});
  EXPECT_EQ(c.nix.timeoutSeconds, 30);
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_TRUE(c.auth.enabled);
  EXPECT_EQ(c.publicUrl, "https://r.example");
  EXPECT_EQ(c.layering.strategy, "flat");
  EXPECT_EQ(c.dataDir, "/srv/d");
  EXPECT_EQ(c.storagePath, "/srv/d/blobs");
}

TEST(ConfigOverrides, JsonScalars) {
  Config c = parseConfig(R"({"listen":"127.0.0.1:1","auth":{"anonymousPull":true}})",
                         {"listen=null", "auth.anonymousPull=false", "auth.tokenTtlSeconds=60",
                          "publicUrl=\"https://quoted.example\""});
  EXPECT_EQ(c.listen, "127.0.0.1:8080");  // null: back to the default
  EXPECT_FALSE(c.auth.anonymousPull);
  EXPECT_EQ(c.auth.tokenTtlSeconds, 60);
  EXPECT_EQ(c.publicUrl, "https://quoted.example");
  // Not JSON: the text as it is.
  EXPECT_EQ(parseConfig("{}", {"listen=[::1]:8080"}).listen, "[::1]:8080");
  EXPECT_EQ(parseConfig("{}", {"listen=1,2"}).listen, "1,2");
  EXPECT_EQ(parseConfig("{}", {"listen="}).listen, "");
  // A JSON value of the wrong type is refused, not turned into a string.
  EXPECT_MENTIONS(errorOf("{}", {"listen=8080"}), "'listen' must be a string");
  EXPECT_MENTIONS(errorOf("{}", {"auth.enabled=1"}), "'auth.enabled'");
}

TEST(ConfigOverrides, ValueMayContainEquals) {
  Config c = parseConfig("{}", {"nix.options.extra-substituters=https://c.example/?a=b"});
  EXPECT_EQ(c.nix.options.at("extra-substituters"), "https://c.example/?a=b");
}

TEST(ConfigOverrides, OverridesWinOverTheFileAndApplyInOrder) {
  Config c = parseConfig(R"({"nix":{"timeoutSeconds":100}})",
                         {"nix.timeoutSeconds=200", "nix.timeoutSeconds=300"});
  EXPECT_EQ(c.nix.timeoutSeconds, 300);
}

TEST(ConfigOverrides, JsonListsAndObjects) {
  Config c = parseConfig("{}", {R"(plugins.load=["a","b"])", R"(plugins.config.a={"k":"v"})"});
  EXPECT_EQ(c.plugins.load, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.plugins.config.at("a"), R"({"k":"v"})");
}

TEST(ConfigOverrides, ArrayIndexes) {
  std::string json = withSources(
      R"({"name":"a","prefix":"a","type":"path","path":"/p"},
         {"name":"b","prefix":"b","type":"path","path":"/q"})");
  Config c = parseConfig(json, {"sources.1.path=/elsewhere", "sources.0.maxLayers=10"});
  EXPECT_EQ(c.sources[0].path, "/p");
  EXPECT_EQ(c.sources[0].maxLayers, 10);
  EXPECT_EQ(c.sources[1].path, "/elsewhere");
  Config d = parseConfig(
      json, {R"(sources.1={"name":"z","prefix":"z","type":"git","url":"https://z.example"})"});
  EXPECT_EQ(d.sources[1].name, "z");
  EXPECT_EQ(d.sources[1].type, "git");
}

TEST(ConfigOverrides, CreatesMissingObjects) {
  Config c = parseConfig("{}", {"nix.options.sandbox=relaxed"});
  EXPECT_EQ(c.nix.options.at("sandbox"), "relaxed");
}

TEST(ConfigOverrides, BadKeys) {
  std::string json = withSources(R"({"name":"a","prefix":"a","type":"path","path":"/p"})");
  EXPECT_MENTIONS(errorOf(json, {"noequals"}), "key=value");
  EXPECT_MENTIONS(errorOf(json, {"=value"}), "key=value");
  EXPECT_MENTIONS(errorOf(json, {"nix..timeoutSeconds=1"}), "empty component");
  EXPECT_MENTIONS(errorOf(json, {"sources.5.path=/x"}), "out of range");
  EXPECT_MENTIONS(errorOf(json, {"sources.5=1"}), "out of range");
  EXPECT_MENTIONS(errorOf(json, {"sources.x.path=/x"}), "not an index");
  EXPECT_MENTIONS(errorOf(json, {"sources.x=1"}), "not an index");
  EXPECT_MENTIONS(errorOf(json, {"sources.1x.path=/x"}), "not an index");
  EXPECT_MENTIONS(errorOf(R"({"listen":"x"})", {"listen.port=1"}), "not an object");
  EXPECT_MENTIONS(errorOf(R"({"listen":"x"})", {"listen.a.b=1"}), "not an object");
  EXPECT_MENTIONS(errorOf(json, {"sources.0.name.x=1"}), "not an object");
  // A missing key is created as an object, which the section then refuses.
  EXPECT_MENTIONS(errorOf("{}", {"listen.port=1"}), "'listen' must be a string");
  EXPECT_MENTIONS(errorOf(json, {"nix.timeout=5"}), "'nix.timeout'");  // unknown after override
  EXPECT_MENTIONS(errorOf(json, {"nix.timeoutSeconds=soon"}), "'nix.timeoutSeconds'");
}

TEST(LoadConfig, ReadsAFile) {
  test::TempDir dir;
  test::writeFile(dir / "strata.json", R"({"listen":"127.0.0.1:1"})");
  Config c = loadConfig(dir / "strata.json", {"nix.maxQueuedBuilds=3"});
  EXPECT_EQ(c.listen, "127.0.0.1:1");
  EXPECT_EQ(c.nix.maxQueuedBuilds, 3);
  try {
    loadConfig(dir / "missing.json", {});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_MENTIONS(e.what(), dir / "missing.json");
  }
}

TEST(LoadConfig, TheBundledConfigurationIsValid) {
  Config c = loadConfig(std::string(STRATA_SOURCE_DIR) + "/config/strata.json", {});
  EXPECT_FALSE(c.sources.empty());
}

TEST(LoadConfig, TheKubernetesConfigurationIsValid) {
  Config c = loadConfig(std::string(STRATA_SOURCE_DIR) + "/config/kubernetes/strata.json", {});
  EXPECT_EQ(c.storageBackend, "s3");
  EXPECT_EQ(c.databaseBackend, "postgresql");
  EXPECT_EQ(c.listen, "0.0.0.0:8080");
  EXPECT_TRUE(c.auth.enabled);
  EXPECT_GT(c.gc.intervalSeconds, 0);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(Config, SourceCompression) {
  auto base = std::string(R"({"sources":[{"name":"a","prefix":"a","type":"path","path":"/p")");
  EXPECT_EQ(parseConfig(base + "}]}", {}).sources[0].compression, "gzip");
  EXPECT_EQ(parseConfig(base + R"(,"compression":"zstd"}]})", {}).sources[0].compression, "zstd");
  EXPECT_THROW(parseConfig(base + R"(,"compression":"lz4"}]})", {}), std::runtime_error);
  EXPECT_THROW(parseConfig(base + R"(,"compression":1}]})", {}), std::runtime_error);
  EXPECT_EQ(parseConfig(base + "}]}", {}).sources[0].imageFormat, "layers");
  EXPECT_EQ(parseConfig(base + R"(,"imageFormat":"nix-snapshotter"}]})", {}).sources[0].imageFormat,
            "nix-snapshotter");
  EXPECT_THROW(parseConfig(base + R"(,"imageFormat":"squashfs"}]})", {}), std::runtime_error);
  EXPECT_EQ(parseConfig("{}", {}).nix.failureCacheSeconds, 30);
  EXPECT_EQ(parseConfig("{}", {"nix.failureCacheSeconds=0"}).nix.failureCacheSeconds, 0);
  EXPECT_THROW(parseConfig("{}", {"nix.failureCacheSeconds=-1"}), std::runtime_error);
  EXPECT_EQ(parseConfig("{}", {}).cache.memoryMiB, 128);
  EXPECT_EQ(parseConfig(R"({"cache":{"memoryMiB":16}})", {}).cache.memoryMiB, 16);
  EXPECT_THROW(parseConfig("{}", {"cache.memoryMiB=2"}), std::runtime_error);
  EXPECT_THROW(parseConfig("{}", {"cache.memoryMiB=\"lots\""}), std::runtime_error);
  EXPECT_THROW(parseConfig(R"({"cache":{"entries":5}})", {}), std::runtime_error);
  EXPECT_EQ(parseConfig(base + "}]}", {}).sources[0].platforms,
            std::vector<std::string>{"x86_64-linux"});
  EXPECT_EQ(parseConfig(base + R"(,"platforms":["aarch64-linux","x86_64-linux"]}]})", {})
                .sources[0]
                .platforms,
            (std::vector<std::string>{"aarch64-linux", "x86_64-linux"}));
  for (const char* bad : {R"([])", R"(["riscv64-linux"])", R"(["x86_64-linux","x86_64-linux"])",
                          R"("x86_64-linux")", R"([1])"})
    EXPECT_THROW(parseConfig(base + R"(,"platforms":)" + bad + "}]}", {}), std::runtime_error)
        << bad;
  EXPECT_TRUE(parseConfig("{}", {"storage.sendfile=true"}).storageSendfile);
  EXPECT_FALSE(parseConfig("{}", {}).storageSendfile);
}

TEST(Config, S3Storage) {
  auto s3 = [](const std::string& fields) {
    return R"({"storage":{"backend":"s3","s3":{"endpoint":"http://127.0.0.1:9000/",)"
           R"("bucket":"strata","accessKeyId":"AKID","secretAccessKeyFile":"secret")" +
           fields + "}}}";
  };
  Config c = parseConfig(s3(""), {});
  EXPECT_EQ(c.storageBackend, "s3");
  EXPECT_EQ(c.s3.endpoint, "http://127.0.0.1:9000") << "the trailing '/' goes";
  EXPECT_EQ(c.s3.bucket, "strata");
  EXPECT_EQ(c.s3.region, "us-east-1");
  EXPECT_EQ(c.s3.secretAccessKeyFile, cwd() + "/secret") << "relative to the working directory";
  EXPECT_EQ(c.s3.prefix, "");
  EXPECT_TRUE(c.s3.pathStyle);
  EXPECT_TRUE(c.s3.redirect);
  EXPECT_EQ(c.s3.presignSeconds, 300);
  EXPECT_EQ(c.s3.partSizeMiB, 16);
  c = parseConfig(s3(R"(,"prefix":"team/strata","pathStyle":false,"redirect":false,)"
                     R"("presignSeconds":60,"region":"eu-west-1","partSizeMiB":5)"),
                  {});
  EXPECT_EQ(c.s3.prefix, "team/strata/") << "a prefix ends with '/'";
  EXPECT_FALSE(c.s3.pathStyle);
  EXPECT_FALSE(c.s3.redirect);
  EXPECT_EQ(c.s3.presignSeconds, 60);
  EXPECT_EQ(c.s3.region, "eu-west-1");
  EXPECT_EQ(c.s3.partSizeMiB, 5);

  EXPECT_MENTIONS(errorOf(s3(R"(,"endpoint":"ftp://x")")), "'storage.s3.endpoint'");
  EXPECT_MENTIONS(errorOf(s3(R"(,"bucket":"No_Such")")), "'storage.s3.bucket'");
  EXPECT_MENTIONS(errorOf(s3(R"(,"bucket":"ab")")), "'storage.s3.bucket'");
  EXPECT_MENTIONS(errorOf(s3(R"(,"accessKeyId":"")")), "'storage.s3.accessKeyId'");
  EXPECT_MENTIONS(errorOf(s3(R"(,"secretAccessKeyFile":"")")), "'storage.s3.secretAccessKeyFile'");
  EXPECT_MENTIONS(errorOf(s3(R"(,"prefix":"/abs")")), "'storage.s3.prefix'");
  EXPECT_MENTIONS(errorOf(s3(R"(,"presignSeconds":0)")), "'storage.s3.presignSeconds'");
  EXPECT_MENTIONS(errorOf(s3(R"(,"partSizeMiB":4)")), "'storage.s3.partSizeMiB'");
  EXPECT_MENTIONS(errorOf(s3(R"(,"secretAccessKey":"inline")")), "'storage.s3.secretAccessKey'");
}

TEST(Config, HttpLimitsHaveDefaultsAndRanges) {
  Config d = parseConfig("{}", {});
  EXPECT_EQ(d.http.maxConnections, 256);
  EXPECT_EQ(d.http.maxConnectionsPerClient, 64);
  EXPECT_EQ(d.http.requestHeadSeconds, 10);
  EXPECT_EQ(d.http.idleSeconds, 30);
  EXPECT_EQ(d.http.drainSeconds, 30);
  EXPECT_EQ(d.plugins.timeoutSeconds, 10);
  Config c = parseConfig(R"({"http":{"maxConnectionsPerClient":0,"drainSeconds":5},
                             "plugins":{"timeoutSeconds":2}})",
                         {});
  EXPECT_EQ(c.http.maxConnectionsPerClient, 0);
  EXPECT_EQ(c.http.drainSeconds, 5);
  EXPECT_EQ(c.plugins.timeoutSeconds, 2);
  EXPECT_MENTIONS(errorOf(R"({"http":{"maxConnections":4}})"), "'http.maxConnections'");
  EXPECT_MENTIONS(errorOf(R"({"http":{"requestHeadSeconds":0}})"), "'http.requestHeadSeconds'");
  EXPECT_MENTIONS(errorOf(R"({"http":{"slow":1}})"), "'http.slow'");
  EXPECT_MENTIONS(errorOf(R"({"plugins":{"timeoutSeconds":0}})"), "'plugins.timeoutSeconds'");
}

TEST(Config, AllowedPathsNeverReachTheDataFolderSecretsOrAnotherSource) {
  auto config = [](const std::string& allowed, const std::string& extra = "") {
    return R"({"dataDir":"/srv/strata","auth":{"signingKeyFile":"/etc/strata/key.pem"},
               "sources":[{"name":"a","prefix":"a","type":"path","path":"/pkgs/a",
                           "allowedPaths":[)" +
           allowed + R"(]},
                          {"name":"b","prefix":"b","type":"path","path":"/pkgs/b"})" +
           extra + "]}";
  };
  Config ok = parseConfig(config(R"("/usr/bin", "/pkgs/b/lib.nix", "/srv/other/../x")"), {});
  EXPECT_EQ(ok.sources[0].allowedPaths,
            (std::vector<std::string>{"/usr/bin", "/pkgs/b/lib.nix", "/srv/x"}));
  EXPECT_TRUE(ok.sources[1].allowedPaths.empty()) << "nothing but its own folder by default";
  for (const char* bad : {R"("/")", R"("/srv")", R"("/srv/strata")", R"("/srv/strata/blobs")",
                          R"("/etc/strata")", R"("/pkgs")", R"("/pkgs/b")", R"("")"})
    EXPECT_MENTIONS(errorOf(config(bad)), "'sources.0.allowedPaths'");
  EXPECT_MENTIONS(errorOf(config(R"("/srv")")), "the data folder (dataDir) (/srv/strata)");
  EXPECT_MENTIONS(errorOf(config(R"("/etc")")), "auth.signingKeyFile");
  EXPECT_MENTIONS(errorOf(config(R"("/pkgs")")), "all of source 'b'");
  // A path source whose own folder holds the data folder.
  EXPECT_MENTIONS(
      errorOf(config(R"("/usr/bin")", R"(,{"name":"c","prefix":"c","type":"path","path":"/srv"})")),
      "'sources.2.path'");
}

TEST(Config, NixDaemonAndItsUser) {
  Config d = parseConfig("{}", {});
  EXPECT_FALSE(d.nix.daemon);
  EXPECT_EQ(d.nix.user, "");
  Config c = parseConfig(R"({"nix":{"daemon":true,"user":"strata-nix"}})", {});
  EXPECT_TRUE(c.nix.daemon);
  EXPECT_EQ(c.nix.user, "strata-nix");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"user":"nobody"}})"), "'nix.user'");
  EXPECT_MENTIONS(errorOf(R"({"nix":{"daemon":"yes"}})"), "'nix.daemon'");
}

}  // namespace
}  // namespace strata
