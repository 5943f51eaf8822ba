#pragma once

#include <functional>
#include <string>

namespace strata {

struct Config;
struct PluginListing;
class AccessGate;
class AuthService;
class BuildService;
class Metrics;
class PullService;
class SourceBrowser;
class SourceCatalog;

/// What handlers may use: use cases and plain data, never storage, metadata,
/// Nix or the plugin host. Handlers get this, never a global application
/// object, so a handler test needs no running server.
struct ServerContext {
  const Config& config;
  PullService& pull;
  BuildService& builds;
  AccessGate& access;
  const SourceCatalog& sources;
  Metrics& metrics;
  /// The token service and the admin API; null when not wired (tests). With
  /// auth.enabled false, both answer 404.
  AuthService* auth = nullptr;
  /// Built-in strategies and loaded plugins; null when not wired (tests).
  const PluginListing* plugins = nullptr;
  /// GET /readyz: what does not answer ("database", "blob store"), empty when
  /// ready; null: always ready.
  std::function<std::string()> notReady;
  /// Refs and packages of the sources; null when not wired (tests).
  SourceBrowser* browser = nullptr;
  /// The version of the Nix the server runs ("2.8.0"; "unknown").
  std::string nixVersion = "unknown";
};

}  // namespace strata
