#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include "auth/AuthService.h"
#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"

namespace strata {

void handleToken(Exchange& x) {
  TokenRequest request;
  request.authorization = x.request.get("Authorization", "");
  request.clientAddress = x.request.clientAddress().host().toString();
  auto services = x.queryValues("service");
  request.service = services.empty() ? "" : services.back();
  request.scopes = x.queryValues("scope");
  // "account" names the user the client thinks it is; the credentials decide.
  IssuedToken issued = requireAuth(x.ctx).issueToken(request);
  auto body = orderedObject();
  body->set("token", issued.jwt);
  body->set("access_token", issued.jwt);
  body->set("expires_in", issued.claims.expiresAt - issued.claims.issuedAt);
  body->set("issued_at",
            Poco::DateTimeFormatter::format(
                Poco::Timestamp::fromEpochTime(static_cast<time_t>(issued.claims.issuedAt)),
                Poco::DateTimeFormat::ISO8601_FORMAT));
  x.response.set("Cache-Control", "no-store");
  x.sendJson(*body);
}

}  // namespace strata
