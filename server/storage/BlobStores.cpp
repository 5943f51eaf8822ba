#include "storage/BlobStores.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "config/Config.h"
#include "storage/FilesystemBlobStore.h"
#include "storage/s3/S3BlobStore.h"
#include "util/CacheBudget.h"

namespace strata {
namespace {

/// The secret in `file`, without the line end editors add. Never logged.
std::string readSecret(const std::string& file, const std::string& key) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(key + ": cannot read '" + file + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string secret = ss.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) throw std::runtime_error(key + ": '" + file + "' is empty");
  return secret;
}

std::unique_ptr<BlobStore> openS3(const Config& config) {
  const S3Config& c = config.s3;
  s3::Endpoint endpoint;
  try {
    endpoint = s3::Endpoint::parse(c.endpoint, c.bucket, c.region, c.pathStyle);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("storage.s3.endpoint: ") + e.what());
  }
  auto client = std::make_unique<s3::S3Client>(
      endpoint, s3::Credentials{c.accessKeyId, readSecret(c.secretAccessKeyFile,
                                                          "storage.s3.secretAccessKeyFile")});
  try {
    client->checkBucket();  // a wrong key or a missing bucket stops start-up, in one line
  } catch (const s3::S3Error& e) {
    throw std::runtime_error(std::string("storage.s3: ") + e.what());
  }
  S3BlobStore::Settings settings;
  settings.prefix = c.prefix;
  settings.spoolDir = config.dataDir + "/spool";
  settings.redirect = c.redirect;
  settings.presignSeconds = c.presignSeconds;
  settings.partSize = static_cast<std::size_t>(c.partSizeMiB) << 20;
  CacheBudget budget = CacheBudget::ofMiB(config.cache.memoryMiB);
  settings.smallBlobCacheBytes = budget.smallBlobs;
  settings.sizeCacheBytes = budget.blobSizes;
  return std::make_unique<S3BlobStore>(std::move(client), settings);
}

}  // namespace

std::unique_ptr<BlobStore> openBlobStore(const Config& config) {
  if (config.storageBackend == "filesystem")
    return std::make_unique<FilesystemBlobStore>(
        config.storagePath, config.storageSendfile,
        CacheBudget::ofMiB(config.cache.memoryMiB).smallBlobs);
  if (config.storageBackend == "s3") return openS3(config);
  throw std::runtime_error("storage.backend: unknown backend '" + config.storageBackend +
                           "' (known: filesystem, s3)");
}

}  // namespace strata
