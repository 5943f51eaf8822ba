#include "builder/BuildClaims.h"

#include <Poco/Environment.h>
#include <Poco/Logger.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <ctime>
#include <utility>

#include "util/Error.h"

namespace strata {
namespace {

std::int64_t nowSeconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

/// The kinds a failed build hands to the replicas that waited for it, by the
/// name stored in the database; any other kind arrives as BuildFailed.
constexpr std::array<std::pair<ErrorKind, const char*>, 7> kKinds{{
    {ErrorKind::BuildFailed, "build_failed"},
    {ErrorKind::BuildTimeout, "build_timeout"},
    {ErrorKind::UnknownManifest, "unknown_manifest"},
    {ErrorKind::SourceUnavailable, "source_unavailable"},
    {ErrorKind::StorageUnavailable, "storage_unavailable"},
    {ErrorKind::StorageFull, "storage_full"},
    {ErrorKind::Internal, "internal"},
}};

Poco::Logger& logger() {
  return Poco::Logger::get("strata.builds");
}

}  // namespace

BuildClaims::BuildClaims(BuildRepository& repository, std::string owner, int leaseSeconds)
    : repository_(repository), owner_(std::move(owner)), leaseSeconds_(leaseSeconds) {}

std::string BuildClaims::newOwner() {
  unsigned char bytes[4];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes");
  static const char* hex = "0123456789abcdef";
  std::string suffix;
  for (unsigned char b : bytes) {
    suffix += hex[b >> 4];
    suffix += hex[b & 15];
  }
  return Poco::Environment::nodeName() + ":" + std::to_string(::getpid()) + ":" + suffix;
}

bool BuildClaims::claim(const std::string& key, const std::string& buildId) {
  std::int64_t now = nowSeconds();
  if (!repository_.claim(key, owner_, buildId, now, now + leaseSeconds_)) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  held_.insert(key);
  return true;
}

std::optional<BuildClaim> BuildClaims::find(const std::string& key) {
  return repository_.findClaim(key);
}

void BuildClaims::release(const std::string& key) noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    held_.erase(key);
  }
  try {
    repository_.releaseClaim(key, owner_);
  } catch (const std::exception& e) {
    logger().warning("could not release the claim on a build (it expires): %s",
                     std::string(e.what()));
  }
}

void BuildClaims::fail(const std::string& key, const std::exception_ptr& error) noexcept {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    held_.erase(key);
  }
  std::string kind = "build_failed", message = "the build failed", detail;
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    for (const auto& [k, name] : kKinds)
      if (k == e.kind()) kind = name;
    message = e.what();
    detail = e.detail();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
  }
  try {
    repository_.failClaim(key, owner_, kind, message, detail, nowSeconds() + leaseSeconds_);
  } catch (const std::exception& e) {
    logger().warning("could not record the failure of a build (its claim expires): %s",
                     std::string(e.what()));
  }
}

void BuildClaims::renew() noexcept {
  std::set<std::string> keys;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    keys = held_;
  }
  for (const auto& key : keys) {
    try {
      repository_.renewClaim(key, owner_, nowSeconds() + leaseSeconds_);
    } catch (const std::exception& e) {
      logger().warning("could not renew the claim on a build: %s", std::string(e.what()));
      return;  // the database is down: the others fail alike
    }
  }
}

std::exception_ptr BuildClaims::errorOf(const BuildClaim& claim) {
  ErrorKind kind = ErrorKind::BuildFailed;
  for (const auto& [k, name] : kKinds)
    if (claim.errorKind == name) kind = k;
  return std::make_exception_ptr(Error(kind, claim.errorMessage, claim.errorDetail));
}

}  // namespace strata
