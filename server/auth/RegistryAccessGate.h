#pragma once

#include "auth/AccessGate.h"

namespace strata {

struct Config;
class AuthService;
class PolicyRegistry;
class Metrics;
struct AuditRecord;

/// AccessGate on the core grants (auth/AccessController through AuthService)
/// and the access policies of plugins (PolicyRegistry): every policy must
/// allow, after the grants.
class RegistryAccessGate : public AccessGate {
 public:
  /// `auth` null or disabled: nobody authenticates, every image is granted
  /// and only the policies judge.
  RegistryAccessGate(const Config& config, AuthService* auth, const PolicyRegistry& policies,
                     Metrics& metrics)
      : config_(config), auth_(auth), policies_(policies), metrics_(metrics) {}

  Caller admit(Requirement requirement, const std::string& name, const std::string& authorization,
               const std::string& clientAddress) override;
  void authorizePull(const Caller& caller, const ImageRequest& image) override;
  void authorizeSource(const Caller& caller, const std::string& source) override;
  void checkPolicies(const Caller& caller, const std::string& name, const sdk::ImageInfo& image,
                     std::shared_ptr<const sdk::ClosureGraph> closure = nullptr) override;
  bool hasPolicies() const override;
  bool authEnabled() const override { return authOn(); }
  bool mayAdminister(const Caller& caller) override;
  bool mayBrowseSource(const Caller& caller, const std::string& source) override;
  bool judgesPulls() const override;
  void recordPull(const Caller& caller, const std::string& name, const std::string& reference,
                  const std::string& revision, const std::string& digest) override;
  std::function<bool(const ImageRequest&)> pullFilter(const Caller& caller) override;

 private:
  bool holdsSourceGrant(const Subject& subject, const std::string& source);
  bool authOn() const;
  [[noreturn]] void unauthorized(Requirement requirement, const std::string& name,
                                 const std::string& message, const std::string& error = "");
  void audit(AuditRecord record);

  const Config& config_;
  AuthService* auth_;
  const PolicyRegistry& policies_;
  Metrics& metrics_;
};

}  // namespace strata
