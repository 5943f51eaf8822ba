#include "plugins/PolicyRegistry.h"

#include <stdexcept>

namespace strata {

std::string PolicyRegistry::Denial::message() const {
  return "access denied by policy '" + policy + "' (plugin " + origin + "): " + reason;
}

void PolicyRegistry::add(const std::string& name, std::shared_ptr<sdk::AccessPolicy> policy,
                         const std::string& origin) {
  for (const auto& e : entries_)
    if (e.name == name)
      throw std::invalid_argument("access policy '" + name + "' of " + origin +
                                  " is already registered by " + e.origin);
  entries_.push_back(Entry{name, std::move(policy), origin});
}

std::optional<PolicyRegistry::Denial> PolicyRegistry::check(const sdk::Subject& subject,
                                                            const std::string& action,
                                                            const sdk::ImageInfo& image) const {
  for (const auto& e : entries_) {
    // check() is noexcept: a plugin cannot throw through it (the SDK's
    // guardDecision turns its exceptions into a deny).
    sdk::Decision d = e.policy->check(subject, action, image);
    if (!d.allow) return Denial{e.name, e.origin, d.reason.empty() ? "no reason given" : d.reason};
  }
  return std::nullopt;
}

}  // namespace strata
