#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/sdk/policy.h"

namespace strata {

/// The access policies of loaded plugins, in load order. Every one must allow
/// an image; they run after the core grants (auth/AccessController).
class PolicyRegistry {
 public:
  struct Entry {
    std::string name;
    std::shared_ptr<sdk::AccessPolicy> policy;
    std::string origin;  ///< the plugin's name
  };

  /// The first policy that said no.
  struct Denial {
    std::string policy;
    std::string origin;
    std::string reason;  ///< never empty
    /// "access denied by policy 'NAME' (plugin ORIGIN): REASON"
    std::string message() const;
  };

  /// Throws std::invalid_argument when the name is taken.
  void add(const std::string& name, std::shared_ptr<sdk::AccessPolicy> policy,
           const std::string& origin);
  bool empty() const { return entries_.empty(); }
  const std::vector<Entry>& entries() const { return entries_; }

  /// Asks every policy in order; the first deny wins. Policies are called
  /// concurrently from many request threads, each call on a thread of its
  /// own: one that does not answer within the deadline throws
  /// Error(Internal) naming it (the call is left to end on its own).
  /// `closure` owns image.closure, so that a call left running never reads
  /// freed memory.
  std::optional<Denial> check(const sdk::Subject& subject, const std::string& action,
                              const sdk::ImageInfo& image,
                              std::shared_ptr<const sdk::ClosureGraph> closure = nullptr) const;

  /// plugins.timeoutSeconds.
  void setDeadline(std::chrono::milliseconds deadline) { deadline_ = deadline; }

 private:
  std::vector<Entry> entries_;
  std::chrono::milliseconds deadline_{10000};
};

}  // namespace strata
