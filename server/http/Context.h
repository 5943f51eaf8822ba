#pragma once

namespace strata {

struct Config;
class BuildService;
class ImageRepository;
class FilesystemBlobStore;
class SourceRegistry;
class Metrics;
class AuthService;
class StrategyRegistry;
class PolicyRegistry;
class PluginHost;

/// What handlers may use. Handlers get this, never a global application
/// object, so a handler test needs no running server.
struct ServerContext {
  const Config& config;
  BuildService& builds;
  ImageRepository& images;
  FilesystemBlobStore& blobs;
  SourceRegistry& sources;
  Metrics& metrics;
  /// Users, grants and tokens; null in tests that do not need them. With
  /// auth.enabled false it is consulted by nothing on the request path.
  AuthService* auth = nullptr;
  /// Layering strategies (built-in and of plugins), the access policies of
  /// plugins, and the plugins themselves; null in tests that do not need them.
  const StrategyRegistry* strategies = nullptr;
  const PolicyRegistry* policies = nullptr;
  const PluginHost* plugins = nullptr;
};

}  // namespace strata
