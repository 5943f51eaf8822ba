#pragma once

namespace strata {

struct Config;
class BuildService;
class ImageRepository;
class FilesystemBlobStore;
class SourceRegistry;
class Metrics;

/// What handlers may use. Handlers get this, never a global application
/// object, so a handler test needs no running server.
struct ServerContext {
  const Config& config;
  BuildService& builds;
  ImageRepository& images;
  FilesystemBlobStore& blobs;
  SourceRegistry& sources;
  Metrics& metrics;
};

}  // namespace strata
