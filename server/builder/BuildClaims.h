#pragma once

#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "meta/BuildRepository.h"

namespace strata {

/// One replica's side of the claims on builds in the shared database: the
/// replica that claims an image builds it, the others wait for it. Claims last
/// a lease that renew() extends while the replica lives; a replica that dies
/// loses its claims when their lease runs out.
class BuildClaims {
 public:
  BuildClaims(BuildRepository& repository, std::string owner, int leaseSeconds);

  /// A name for this process unique among replicas: host, pid and randomness.
  static std::string newOwner();

  const std::string& owner() const { return owner_; }
  int leaseSeconds() const { return leaseSeconds_; }

  /// True when this replica now builds `key` (as build `buildId`). Throws
  /// strata::Error (StorageUnavailable) when the database fails.
  bool claim(const std::string& key, const std::string& buildId);
  /// Whoever holds `key`, if anyone. Throws as claim().
  std::optional<BuildClaim> find(const std::string& key);
  /// The build succeeded (or was not needed): the claim goes. Never throws:
  /// a claim left behind only expires.
  void release(const std::string& key) noexcept;
  /// The build failed with `error`: the replicas waiting for it get it.
  void fail(const std::string& key, const std::exception_ptr& error) noexcept;
  /// Extends every claim this replica holds by a lease. Never throws. A
  /// claim released or failed is no longer renewed, even when the database
  /// did not hear of it: then it expires.
  void renew() noexcept;

  /// The error a failed claim carries, as a strata::Error to rethrow.
  static std::exception_ptr errorOf(const BuildClaim& claim);

 private:
  BuildRepository& repository_;
  std::string owner_;
  int leaseSeconds_;
  std::mutex mutex_;
  std::set<std::string> held_;  ///< keys this replica builds
};

}  // namespace strata
