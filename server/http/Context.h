#pragma once

namespace strata {

struct Config;
class BuildService;
class ImageRepository;
class FilesystemBlobStore;
class SourceRegistry;
class Metrics;
class AuthService;

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
};

}  // namespace strata
