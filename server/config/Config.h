#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata {

struct Credentials {
  std::string sshKeyFile;
  std::string tokenFile;
  std::string username;
};

struct SourceConfig {
  std::string name;
  std::string prefix;
  std::string type;  ///< "path", "git" or "nixpkgs"
  std::string path;  ///< path sources: folder or file holding the package set (absolute)
  std::string url;   ///< git sources
  std::string defaultRef;
  int refreshSeconds = 60;
  Credentials credentials;
  std::map<std::string, std::vector<std::string>> metaPackages;
  std::vector<std::string> alwaysInclude;
  /// Absolute paths outside the package set its evaluation may read (Nix's
  /// restrict-eval), e.g. "/usr/bin" for Debian's busybox. Never the data
  /// folder, a secret or another source (checked at load).
  std::vector<std::string> allowedPaths;
  /// The attribute of the package set that declares images (docs/images.md).
  std::string imagesAttribute = "images";
  std::optional<std::string> layering;  ///< strategy name; registry-wide when unset
  std::optional<int> maxLayers;
  std::string compression = "gzip";  ///< layer blobs: "gzip" or "zstd" (OCI clients only)
  /// "layers" (the closure in layers) or "nix-snapshotter" (one layer of
  /// mount points and the root's symlinks; the store paths as annotations).
  std::string imageFormat = "layers";
  /// Nix systems the source's images are built for: "x86_64-linux",
  /// "aarch64-linux". With more than one, a tag is an image index.
  std::vector<std::string> platforms{"x86_64-linux"};
};

/// The image architecture of a Nix system ("x86_64-linux" → "amd64",
/// "aarch64-linux" → "arm64"); empty for a system Strata does not build for.
std::string archOfSystem(const std::string& system);

struct NixConfig {
  int timeoutSeconds = 600;
  int maxConcurrentBuilds = 2;
  int maxQueuedBuilds = 32;
  /// How long a replica's claim on a build it runs lasts without renewal
  /// (renewed every third of it): a replica that dies loses its builds to
  /// the others after this.
  int buildLeaseSeconds = 30;
  /// How long a failed build's error answers pulls of the same image before
  /// it is tried again (0: every pull tries again).
  int failureCacheSeconds = 30;
  /// Nix commands go through a running nix-daemon (NIX_REMOTE=daemon): the
  /// daemon writes the store and runs the builds, so the commands need no
  /// privileges, and run as `user` when the server runs as root.
  bool daemon = false;
  /// The folder holding nix-build, nix-instantiate and nix (absolute);
  /// empty: found in PATH.
  std::string binDir;
  /// With daemon: the account Nix commands run as when the server runs as
  /// root (empty: "nobody"). It must not be able to read the server's secrets.
  std::string user;
  /// Passed to every Nix command as `--option NAME VALUE` (for example
  /// substituters). Values are arguments, never shell text.
  std::map<std::string, std::string> options;
};

/// gc: the online garbage collector (strata admin gc is the same, once).
struct GcConfig {
  int intervalSeconds = 0;   ///< 0: never online
  int minAgeSeconds = 3600;  ///< younger blobs may belong to a build in progress
};

/// http: the listener's limits. Slow or idle clients hold a connection (and
/// a thread) each; these bound what they can take from the others.
struct HttpConfig {
  int maxConnections = 256;          ///< connections served at once (one thread each)
  int maxConnectionsPerClient = 64;  ///< per client address; 0: no cap (behind a proxy)
  int requestHeadSeconds = 10;       ///< from connect or first byte to a complete request head
  int idleSeconds = 30;              ///< keep-alive wait for the next request
  int drainSeconds = 30;             ///< on SIGTERM: how long requests in flight may finish
};

/// cache: the in-memory caches in front of the database and the blob store
/// (images, manifests, closures, package lists, small blobs), shared out of one
/// budget (CacheBudget): memory stays bounded however many images are built.
struct CacheConfig {
  int memoryMiB = 128;
};

struct LayeringConfig {
  std::string strategy = "closure";
  int maxLayers = 94;
  std::string popularityFile;
};

struct PluginsConfig {
  std::string directory = "build/plugins";
  std::vector<std::string> load;
  std::map<std::string, std::string> config;  ///< plugin name -> its JSON object, serialised
  /// How long a plugin's policy check or layering plan may take; past it
  /// the request fails naming the plugin (the call cannot be stopped).
  int timeoutSeconds = 10;
};

struct AuthConfig {
  bool enabled = false;
  bool anonymousPull = false;
  int tokenTtlSeconds = 900;
  std::string signingKeyFile;  ///< PEM RSA key; empty: generated once under dataDir
};

/// storage.s3: an S3-compatible bucket as blob store.
struct S3Config {
  std::string endpoint;  ///< "http(s)://host[:port]"
  std::string bucket;
  std::string region = "us-east-1";
  std::string accessKeyId;
  std::string secretAccessKeyFile;  ///< absolute; the secret is read from it at start
  std::string prefix;               ///< key prefix; "" or ending in '/'
  bool pathStyle = true;            ///< "/bucket/key"; false: "bucket.host/key"
  bool redirect = true;             ///< blob GETs answer 307 to presigned URLs
  int presignSeconds = 300;
  int partSizeMiB = 16;  ///< blobs larger are uploaded in parts of this size
};

/// database.postgresql: the shared metadata database of several replicas.
struct PostgresConfig {
  std::string connection;    ///< libpq connection string, without the password
  std::string passwordFile;  ///< absolute, or empty: no password (or ~/.pgpass)
  int maxConnections = 16;   ///< connections this process keeps open at most
};

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string publicUrl = "http://127.0.0.1:8080";
  std::string dataDir = "var";
  std::string storageBackend = "filesystem";
  std::string storagePath;  ///< resolved: never empty after load
  /// Blob bodies with sendfile(2). Off by default: on loopback, copying
  /// through a small buffer measured faster (docs/performance.md).
  bool storageSendfile = false;
  S3Config s3;  ///< with storage.backend "s3"
  std::string databaseBackend = "sqlite";
  std::string databasePath;   ///< resolved: never empty after load
  PostgresConfig postgresql;  ///< with database.backend "postgresql"
  NixConfig nix;
  GcConfig gc;
  CacheConfig cache;
  HttpConfig http;
  LayeringConfig layering;
  PluginsConfig plugins;
  AuthConfig auth;
  std::vector<SourceConfig> sources;
};

/// How a source's images are layered: the source's own strategy and
/// maxLayers where it names them, else the registry-wide ones. Every part of
/// the server asks this one function.
struct LayeringChoice {
  std::string strategy;
  int maxLayers = 0;
};
LayeringChoice layeringOf(const Config& config, const SourceConfig& source);

/// Reads the JSON configuration, applies `key=value` overrides (the value is
/// parsed as JSON when it parses, else taken as a string), checks every key and
/// value, and makes relative paths absolute against the working directory.
/// Throws std::runtime_error with a message naming the offending key.
Config loadConfig(const std::string& file, const std::vector<std::string>& overrides);
Config parseConfig(const std::string& json, const std::vector<std::string>& overrides);

}  // namespace strata
