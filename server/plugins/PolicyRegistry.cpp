#include "plugins/PolicyRegistry.h"

#include <stdexcept>

#include "util/CallWithDeadline.h"
#include "util/Error.h"

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

std::optional<PolicyRegistry::Denial> PolicyRegistry::check(
    const sdk::Subject& subject, const std::string& action, const sdk::ImageInfo& image,
    std::shared_ptr<const sdk::ClosureGraph> closure) const {
  if (image.closure != nullptr && closure.get() != image.closure)
    closure = std::make_shared<const sdk::ClosureGraph>(*image.closure);
  for (const auto& e : entries_) {
    // check() is noexcept: a plugin cannot throw through it (the SDK's
    // guardDecision turns its exceptions into a deny). The call owns copies
    // of what it reads: it may outlive this request.
    auto answer = callWithDeadline([policy = e.policy, subject, action, image,
                                    closure] { return policy->check(subject, action, image); },
                                   deadline_);
    if (!answer)
      throw Error(ErrorKind::Internal, "access policy '" + e.name + "' (plugin " + e.origin +
                                           ") did not answer within plugins.timeoutSeconds (" +
                                           describeLimit(deadline_) + ")");
    const sdk::Decision& d = *answer;
    if (!d.allow) return Denial{e.name, e.origin, d.reason.empty() ? "no reason given" : d.reason};
  }
  return std::nullopt;
}

}  // namespace strata
