#include <optional>

#include "http/Exchange.h"
#include "http/handlers/AuthSupport.h"
#include "http/handlers/Handlers.h"
#include "util/Error.h"

namespace strata {
namespace {

std::optional<int> expiresDays(const Poco::JSON::Object::Ptr& body) {
  if (!body->has("expiresDays") || body->isNull("expiresDays")) return std::nullopt;
  auto v = body->get("expiresDays");
  if (!v.isInteger()) throw Error(ErrorKind::BadRequest, "\"expiresDays\" must be an integer");
  long long d = v.convert<long long>();
  if (d < 1 || d > AuthAdmin::kMaxExpiresDays)
    throw Error(ErrorKind::BadRequest, "the expiry must be between 1 and 3650 days");
  return static_cast<int>(d);
}

}  // namespace

void handleCreateToken(Exchange& x) {
  AuthAdmin& admin = adminOf(x);
  const std::string& user = x.param("user");
  auto body = x.readJsonBody();
  auto created = admin.createToken(actorOf(x), user, jsonField(body, "name"), expiresDays(body));
  auto o = orderedObject();
  o->set("user", user);
  o->set("name", created.name);
  o->set("secret", created.secret);
  if (created.expiresAt) o->set("expiresAt", isoTime(*created.expiresAt));
  x.response.set("Cache-Control", "no-store");
  x.sendJson(*o, Poco::Net::HTTPResponse::HTTP_CREATED);
}

}  // namespace strata
