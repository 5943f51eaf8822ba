// The strata executable: parses the command line and wires the components.
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "auth/AuthService.h"
#include "auth/RegistryAccessGate.h"
#include "builder/BuildService.h"
#include "builder/ImagePipeline.h"
#include "catalog/SourceBrowser.h"
#include "catalog/SourceCatalog.h"
#include "cli/AdminCommands.h"
#include "cli/Arguments.h"
#include "config/Config.h"
#include "http/Context.h"
#include "http/HttpServer.h"
#include "layers/ClosureStrategy.h"
#include "layers/PopularityStrategy.h"
#include "layers/StrategyRegistry.h"
#include "meta/ImageRepository.h"
#include "meta/MetadataStore.h"
#include "nix/NixDriver.h"
#include "plugins/PluginHost.h"
#include "plugins/PolicyRegistry.h"
#include "pull/PullService.h"
#include "sources/GitSource.h"
#include "sources/PathSource.h"
#include "storage/BlobStore.h"
#include "storage/BlobStores.h"
#include "storage/GarbageCollector.h"
#include "strata/sdk/abi.h"
#include "util/Cancellation.h"
#include "util/Digest.h"
#include "util/Metrics.h"
#include "util/Ticker.h"

namespace strata {
namespace {

void setUpLogging() {
  Poco::AutoPtr<Poco::PatternFormatter> fmt(
      new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%SZ %p %s: %t"));
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(fmt, new Poco::ConsoleChannel(std::cerr)));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(Poco::Message::PRIO_INFORMATION);
}

/// An unknown name stops start-up with the list of known strategies.
void checkStrategy(const StrategyRegistry& strategies, const std::string& name,
                   const std::string& key) {
  try {
    strategies.get(name);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(key + ": " + e.what());
  }
}

/// Every long-lived component, built from the configuration in dependency order.
struct Services {
  /// `serving`: the token service (and its signing key) is needed only by
  /// `strata serve` with auth.enabled.
  explicit Services(const Config& c, bool serving = false)
      : config(c),
        metadata(openMetadataStore(c)),
        blobs(openBlobStore(c)),
        nix(c.nix, &stopping),
        popularity(PopularityData::load(c.layering.popularityFile)),
        catalog(c) {
    std::filesystem::create_directories(c.dataDir);
    // A SQLite file has one server: claims on builds from before a restart are
    // nobody's, and would make the first pulls wait for their lease.
    if (serving && c.databaseBackend == "sqlite") metadata->builds().dropClaims();
    auth = std::make_unique<AuthService>(c, metadata->auth(), serving && c.auth.enabled);
    strategies.add("popularity", std::make_shared<PopularityStrategy>(), "built-in");
    strategies.add("closure", std::make_shared<ClosureStrategy>(), "built-in");
    // Plugins register into the same registries; any failure stops start-up
    // with "plugin 'NAME': reason".
    plugins = std::make_unique<PluginHost>(c.plugins, strategies, policies);
    policies.setDeadline(std::chrono::seconds(c.plugins.timeoutSeconds));
    for (const auto& sc : c.sources) {
      if (sc.type == "path")
        sources.add(std::make_unique<PathSource>(sc));
      else
        sources.add(std::make_unique<GitSource>(sc, c.dataDir));
    }
    checkStrategy(strategies, c.layering.strategy, "layering.strategy");
    for (const auto& sc : c.sources)
      if (sc.layering) checkStrategy(strategies, *sc.layering, "sources." + sc.name + ".layering");
    pipeline = std::make_unique<ImagePipeline>(ImagePipeline::Deps{
        config, nix, *blobs, metadata->images(), strategies, popularity, metrics});
    builds = std::make_unique<BuildService>(
        BuildService::Deps{config, sources, *blobs, metadata->images(), *pipeline, metrics,
                           metadata->builds(), &stopping});
    collector = std::make_unique<BlobCollector>(
        BlobCollector::Deps{metadata->images(), *blobs, metadata->builds(), c.gc.minAgeSeconds},
        builds->replica());
    access = std::make_unique<RegistryAccessGate>(config, auth.get(), policies, metrics);
    pull = std::make_unique<PullService>(
        PullService::Deps{config, *builds, metadata->images(), *blobs, *access, metrics, &sources});
    browser =
        std::make_unique<SourceBrowser>(SourceBrowser::Deps{config, sources, nix, access.get()});
  }

  /// What GET /readyz reports: the shared engines answering a cheap query.
  std::string notReady() {
    try {
      metadata->builds().findClaim("readyz");
    } catch (const std::exception& e) {
      Poco::Logger::get("strata").warning("not ready: %s", std::string(e.what()));
      return "database";
    }
    try {
      blobs->stat(*Digest::parse("sha256:" + std::string(64, '0')));
    } catch (const std::exception& e) {
      Poco::Logger::get("strata").warning("not ready: %s", std::string(e.what()));
      return "blob store";
    }
    return "";
  }

  /// What GET /api/v1/plugins shows; fixed once plugins are loaded.
  PluginListing pluginListing() const {
    PluginListing listing;
    listing.abiVersion = sdk::kAbiVersion;
    for (const auto& name : strategies.names())
      if (strategies.get(name).origin == "built-in") listing.builtInStrategies.push_back(name);
    listing.plugins = plugins->plugins();
    return listing;
  }

  const Config& config;
  /// Set on SIGTERM once requests had their time: Nix and waits end.
  Cancellation stopping;
  std::unique_ptr<MetadataStore> metadata;
  std::unique_ptr<BlobStore> blobs;
  NixDriver nix;
  PopularityData popularity;
  SourceCatalog catalog;
  Metrics metrics;
  StrategyRegistry strategies;
  PolicyRegistry policies;
  std::unique_ptr<PluginHost> plugins;
  SourceRegistry sources;
  std::unique_ptr<AuthService> auth;
  std::unique_ptr<ImagePipeline> pipeline;
  std::unique_ptr<BuildService> builds;
  std::unique_ptr<BlobCollector> collector;
  std::unique_ptr<RegistryAccessGate> access;
  std::unique_ptr<PullService> pull;
  std::unique_ptr<SourceBrowser> browser;
};

void collectOnline(BlobCollector& collector) {
  auto& log = Poco::Logger::get("strata.gc");
  try {
    if (auto done = collector.collect())
      log.information("removed %s unreferenced blobs (%s bytes)", std::to_string(done->removed),
                      std::to_string(done->bytes));
  } catch (const std::exception& e) {
    log.warning("garbage collection failed (next try in gc.intervalSeconds): %s",
                std::string(e.what()));
  }
}

/// SIGTERM: requests in flight may finish within `seconds`. Builds get that
/// time less what stopping Nix takes (SIGINT, then SIGKILL 5 s later); then
/// they are cancelled and their requests answered 503. Whatever still runs
/// at the limit is cut off: the drain never outlasts its limit.
void drain(HttpServer& server, Services& services, int seconds, int sig) {
  using Clock = std::chrono::steady_clock;
  auto& log = Poco::Logger::get("strata");
  const auto start = Clock::now();
  const auto limit = start + std::chrono::seconds(seconds);
  const auto cancelAt = start + std::chrono::seconds(std::max(0, seconds - 10));
  log.information("signal %d: draining requests in flight (http.drainSeconds: %d)", sig, seconds);
  server.stopAccepting();
  if (!server.waitIdle(cancelAt)) log.information("stopping the builds still running");
  services.stopping.cancel();
  if (server.waitIdle(limit)) {
    log.information("stopped");
    return;
  }
  log.warning("requests still running after http.drainSeconds: closing their connections");
  server.abort();
  if (server.waitIdle(Clock::now() + std::chrono::seconds(2))) return;
  log.error("requests still running: exiting without waiting for them");
  std::_Exit(0);
}

int serve(const Config& config) {
  // Block the stop signals in every thread; this one waits for them below.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto& log = Poco::Logger::get("strata");
  Services services(config, /*serving=*/true);
  PluginListing plugins = services.pluginListing();
  ServerContext ctx{config,           *services.pull,   *services.builds,
                    *services.access, services.catalog, services.metrics};
  ctx.auth = services.auth.get();
  ctx.plugins = &plugins;
  ctx.browser = services.browser.get();
  ctx.notReady = [&services] { return services.notReady(); };
  // Before the first request (and before the "listening" line tests wait
  // for): /metrics and the log show which Nix runs from the start.
  log.information("Nix %s runs %s", services.nix.version(), services.nix.describe());
  services.metrics.set("strata_nix_info{version=\"" + services.nix.version() + "\"}", 1);
  ctx.nixVersion = services.nix.version();
  HttpServer server(ctx, config.listen);
  log.information("strata %s listening on port %hu (%s), data in %s, metadata in %s, replica %s",
                  std::string(STRATA_VERSION), server.port(), config.listen, config.dataDir,
                  services.metadata->describe(), services.builds->replica());
  // The online collector; on several replicas, one collects at a time.
  std::optional<Ticker> collector;
  if (config.gc.intervalSeconds > 0)
    collector.emplace(std::chrono::seconds(config.gc.intervalSeconds),
                      [&] { collectOnline(*services.collector); });

  int sig = 0;
  sigwait(&stopSignals, &sig);
  drain(server, services, config.http.drainSeconds, sig);
  return 0;
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) {
  using namespace strata;
  std::vector<std::string> args(argv + 1, argv + argc);
  Arguments a;
  try {
    a = parseArguments(args);
  } catch (const std::invalid_argument& e) {
    std::cerr << "strata: " << e.what() << "\n";
    return 2;
  }
  if (a.command == Arguments::Command::Version) {
    std::cout << "strata " << STRATA_VERSION << "\n";
    return 0;
  }
  if (a.command == Arguments::Command::Help) {
    std::cout << kUsage;
    return 0;
  }
  setUpLogging();
  try {
    Config config = loadConfig(a.configFile, a.overrides);
    if (a.command == Arguments::Command::Serve) return serve(config);
    if (a.verb.front() == "migrate") {
      auto metadata = openMetadataStore(config);  // opening applies pending migrations
      std::cout << "database " << config.databasePath << " is up to date\n";
      return 0;
    }
    Services services(config);
    AdminContext admin{config, *services.builds, *services.collector, &services.auth->admin()};
    // The CLI holds the database: it sees every ref and package.
    SourceBrowser browser(SourceBrowser::Deps{config, services.sources, services.nix});
    admin.browser = &browser;
    return runAdmin(admin, a.verb, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "strata: " << e.what() << "\n";
    return 1;
  }
}
