#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>

#include "auth/AuthAdmin.h"

namespace strata {

struct Exchange;
struct ServerContext;
class AuthService;

/// The auth components, or 404 when auth is off: there is then no token
/// service and no admin API (`strata admin` works on the server).
AuthService& requireAuth(ServerContext& ctx);

/// The admin verbs, for an admitted admin caller, and who acts (for the audit log).
AuthAdmin& adminOf(Exchange& x);
Actor actorOf(const Exchange& x);

std::string isoTime(std::int64_t seconds);
Poco::JSON::Object::Ptr statusJson(const std::string& what);
Poco::JSON::Object::Ptr grantJson(const GrantRecord& grant);
Poco::JSON::Object::Ptr tokenJson(const ApiTokenRecord& token, std::int64_t now);
/// A grant from the fields of a JSON object (body or query).
GrantRecord grantFrom(const Poco::JSON::Object::Ptr& fields);

}  // namespace strata
