#pragma once

#include <string>
#include <vector>

#include "http/Handler.h"

namespace strata {

/// GET /token?service=strata&scope=repository:<name>:pull[&scope=…][&account=…]:
/// Docker's token endpoint. Basic credentials (password or API token), or none
/// when auth.anonymousPull is on; answers {"token","access_token","expires_in",
/// "issued_at"} with a JWT whose access claim is the requested scope
/// intersected with what the caller may do.
class TokenHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
};

/// The admin API under /api/v1/ (users, teams, members, grants, tokens,
/// audit), mirroring `strata admin`. The Router gives it AccessRule::admin().
class AdminApiHandler : public Handler {
 public:
  AdminApiHandler(ServerContext& ctx, std::vector<std::string> segments)
      : Handler(ctx), segments_(std::move(segments)) {}

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;

 private:
  std::vector<std::string> segments_;  ///< path segments after /api/v1/
};

/// The admin API handler for `path` when it is one of its routes, else null.
Handler* makeAdminApiHandler(ServerContext& ctx, const std::string& path);

}  // namespace strata
