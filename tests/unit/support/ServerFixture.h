#pragma once

// The server's components wired as main() wires them, on a temporary data
// folder, for tests of the use cases and handlers without a running server.
// Its path source "fx" (prefix "fx") is never evaluated: seed() puts images in
// place as a build leaves them (blobs, manifests, record, closure), so that no
// test here runs Nix. A pull of anything not seeded would start a real build.

#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "TestSupport.h"
#include "auth/AuthService.h"
#include "auth/RegistryAccessGate.h"
#include "auth/Secrets.h"
#include "builder/BuildService.h"
#include "builder/ImagePipeline.h"
#include "catalog/SourceBrowser.h"
#include "catalog/SourceCatalog.h"
#include "config/Config.h"
#include "http/Context.h"
#include "image/ImageName.h"
#include "layers/LayerBuilder.h"
#include "layers/PopularityStrategy.h"
#include "layers/StrategyRegistry.h"
#include "meta/ImageRepository.h"
#include "meta/MetadataStore.h"
#include "nix/NixDriver.h"
#include "plugins/PluginInfo.h"
#include "plugins/PolicyRegistry.h"
#include "pull/PullService.h"
#include "sources/PathSource.h"
#include "storage/BlobStores.h"
#include "storage/FilesystemBlobStore.h"
#include "strata/sdk/abi.h"
#include "util/Metrics.h"

namespace strata::test {

/// An access policy for tests: denies images holding a package of a given
/// name, and records what it was asked.
class DenyPackagePolicy : public sdk::AccessPolicy {
 public:
  explicit DenyPackagePolicy(std::string package) : package_(std::move(package)) {}
  sdk::Decision check(const sdk::Subject& subject, const std::string& action,
                      const sdk::ImageInfo& image) noexcept override {
    try {
      std::lock_guard<std::mutex> lock(mutex_);
      calls.push_back(
          {subject.user, subject.clientAddress, action, image.revision, image.closure != nullptr});
      for (const auto& p : image.packages)
        if (p == package_) return sdk::Decision{false, "package " + p + " is not allowed"};
      return sdk::Decision{true, ""};
    } catch (...) {
      return sdk::Decision{false, "policy failed"};
    }
  }
  struct Call {
    std::string user, clientAddress, action, revision;
    bool withClosure = false;
  };
  std::vector<Call> calls;

 private:
  std::string package_;
  std::mutex mutex_;
};

struct ServerFixture {
  TempDir dir;
  Config config;
  std::unique_ptr<MetadataStore> metadata;
  std::unique_ptr<BlobStore> blobs;
  NixDriver nix;
  PopularityData popularity;
  Metrics metrics;
  StrategyRegistry strategies;
  PolicyRegistry policies;
  SourceRegistry sources;
  std::unique_ptr<AuthService> auth;
  std::unique_ptr<ImagePipeline> pipeline;
  std::unique_ptr<BuildService> builds;
  std::unique_ptr<RegistryAccessGate> access;
  std::unique_ptr<PullService> pull;
  std::unique_ptr<SourceCatalog> catalog;
  std::unique_ptr<SourceBrowser> browser;
  PluginListing plugins;
  std::unique_ptr<ServerContext> context;

  using StoreFactory = std::function<std::unique_ptr<BlobStore>(const Config&)>;

  /// `adjust` changes the configuration before anything is built from it;
  /// `policy`, when given, is loaded as policy "deny-test"; `store` replaces
  /// the configured blob store.
  explicit ServerFixture(const std::function<void(Config&)>& adjust = {},
                         std::shared_ptr<sdk::AccessPolicy> policy = nullptr,
                         const StoreFactory& store = {})
      : config(makeConfig(dir, adjust)),
        metadata(openMetadataStore(config)),
        blobs(store ? store(config) : openBlobStore(config)),
        nix(config.nix) {
    strategies.add("popularity", std::make_shared<PopularityStrategy>(), "built-in");
    if (policy) policies.add("deny-test", policy, "test-plugin");
    for (const auto& sc : config.sources) sources.add(std::make_unique<PathSource>(sc));
    auth = std::make_unique<AuthService>(config, metadata->auth(), config.auth.enabled);
    pipeline = std::make_unique<ImagePipeline>(ImagePipeline::Deps{
        config, nix, *blobs, metadata->images(), strategies, popularity, metrics});
    builds = std::make_unique<BuildService>(BuildService::Deps{
        config, sources, *blobs, metadata->images(), *pipeline, metrics, metadata->builds()});
    access = std::make_unique<RegistryAccessGate>(config, auth.get(), policies, metrics);
    pull = std::make_unique<PullService>(
        PullService::Deps{config, *builds, metadata->images(), *blobs, *access, metrics, &sources});
    browser =
        std::make_unique<SourceBrowser>(SourceBrowser::Deps{config, sources, nix, access.get()});
    catalog = std::make_unique<SourceCatalog>(config);
    plugins.abiVersion = sdk::kAbiVersion;
    plugins.builtInStrategies = {"popularity"};
    context = std::make_unique<ServerContext>(
        ServerContext{config, *pull, *builds, *access, *catalog, metrics, nullptr, nullptr, {}});
    context->auth = auth.get();
    context->plugins = &plugins;
    context->browser = browser.get();
  }

  static Config makeConfig(const TempDir& dir, const std::function<void(Config&)>& adjust) {
    writeFile(dir / "pkgs/default.nix", "{ }: { }\n");
    Config c = parseConfig(R"({"dataDir": ")" + dir / "data" + R"(",
      "sources": [{"name": "fx", "prefix": "fx", "type": "path", "path": ")" +
                               dir / "pkgs" + R"(", "metaPackages": {"shell": ["busybox"]}}]})",
                           {});
    if (adjust) adjust(c);
    return c;
  }

  /// A complete image for `name` at `tag`, stored and recorded as a build
  /// leaves it: one real layer holding `file` with `content`, config,
  /// manifests and a closure of one store path per package. The tag itself
  /// is not recorded (a pull does that).
  ImageRecord seed(const std::string& name, const std::string& tag = "latest",
                   const std::string& file = "hello.txt",
                   const std::string& content = "hello from a seeded layer\n") {
    return seedJob(builds->resolve(parseImageName(name, config.sources), tag), file, content);
  }

  /// seed() for a resolved request (one platform of an index, for example).
  ImageRecord seedJob(const ResolvedImage& job, const std::string& file = "hello.txt",
                      const std::string& content = "hello from a seeded layer\n") {
    LayerBlob layer = buildLayer(*blobs, job.codec, [&](TarWriter& t) {
      t.beginFile(file, 0644, content.size());
      t.data(content.data(), content.size());
      t.endFile();
      t.finish();
    });
    auto closure = std::make_shared<sdk::ClosureGraph>();
    std::vector<SbomPackage> requested;
    for (const auto& p : job.request.packages) {
      std::string path = "/nix/store/" + std::string(32, 'a') + "-" + p;
      closure->roots.push_back(path);
      closure->paths.push_back(sdk::StorePath{path, 1024, {}, 1, "sha256:" + std::string(64, 'b')});
      requested.push_back(SbomPackage{p, path, PackageMeta{"the package " + p, "", {"MIT"}}});
    }
    return pipeline->storeImage(job, {layer}, closure, requested);
  }

  /// A user in `team` (created when new) with an API token, and a grant of
  /// `action` on `source`/`glob` to that team; returns the Authorization
  /// header that logs in as the user. Needs auth.enabled.
  std::string addUser(const std::string& name, const std::string& team, const std::string& source,
                      const std::string& glob, const std::string& action = "pull") {
    Actor cli{"cli:test", ""};
    // The hash is never checked: logins here use the API token.
    metadata->auth().addUser(name, "unused", static_cast<std::int64_t>(std::time(nullptr)));
    std::string secret = auth->admin().createToken(cli, name, "t", std::nullopt).secret;
    if (!metadata->auth().findTeam(team)) auth->admin().addTeam(cli, team);
    auth->admin().addMember(cli, team, name);
    auth->admin().grant(cli, {team, source, glob, action, 0});
    return "Basic " + secrets::base64(name + ":" + secret);
  }

  /// The revision the path source has now (every tag resolves to it).
  std::string revision() {
    return builds->resolve(parseImageName("fx/x", config.sources), "latest").revision;
  }
};

}  // namespace strata::test
