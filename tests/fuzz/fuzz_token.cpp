// Registry tokens (auth/TokenService) and the scopes they carry
// (auth/Scope). The first byte, modulo 4, says what the rest of the input is
// (the seeds use '0' to '3'):
//   '0': a bearer token as a client sends it;
//   '1': a JWT payload, signed here with the server's key, then verified;
//   '2': "subject\nscope scope…\napi token id": issued, then verified;
//   '3': `scope` query parameter values, one per line.
// A fixed key lets the seed corpus hold tokens that verify, whose mutations
// must then all be refused unless they are byte for byte what RS256 signs.

#include <Poco/Crypto/RSADigestEngine.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "FuzzCheck.h"
#include "auth/AuthAdmin.h"
#include "auth/Scope.h"
#include "auth/Secrets.h"
#include "auth/TokenService.h"
#include "util/Error.h"

namespace strata {
namespace {

using fuzz::check;
using fuzz::fail;

constexpr std::int64_t kNow = 1'700'000'000;

// A test-only RSA 1024 key (small: it signs once per input in modes 1 and 2).
const char* const kKeyPem =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIICXQIBAAKBgQCrH3RpzOvZJCPHXR1ozysXsMYeazKkhEF+f+duMOlOJoQSwAwo\n"
    "b6cI8zEd1hLFVfBlpYshHLX8eYeJbYNCu05Vm+X1qSwQU3qGLL6DbmlXiKbixwna\n"
    "R02n8IKrS45VStZS7Ib0IIDIiOLz7AxomJJZHa78xmtai+TDwVchdzbEkQIDAQAB\n"
    "AoGBAJwWlfZHsD2hxGz+V2wZxCHY4e4vM8Nyy9baTjxpqvXZFhGQUca0iXUVdxDT\n"
    "Cs4rZJsjFDRA3xMLu4C0fs1o0rqwCoifUbLbGLhdVODaO5INk8hdhuxB46JJ65Pq\n"
    "fJi/+6rQ/CXnc/4DrNby2nmc7cr04tQd+vLctzSRphHIPHLRAkEA1hFXh0gc7/Fr\n"
    "wXlzB3s2lAWhKWvCAubcBGPh8xuti3poxic0tfwacAJEW6bhdP/0Pg+eJJ+Mh0TW\n"
    "wMc0BaUXzQJBAMykmIpHH2v3GIARjMA1bQUISJPeltpHY22tcIgdD6VExNe/oczp\n"
    "fbG1xM+ANbPMZVmqGN8zpWNA5bA71wcs09UCQAPql05bTGQ7Z3xHq4oUgAAfRj6K\n"
    "wSbqcFYIOccH15n4qFgPuZAmx5kLAZMnr3JDiIVmJb+Hx7tl0AQA4PvFdHUCQG3C\n"
    "zqpEEX9oDfUK9LJXNX0gf0UIe2LiLVszTotDAxRCuU161D7C8Y7yjng5LRSdybJ5\n"
    "AFQfMFL3CPsobWHE0m0CQQCCWHWRpHYgB2UzPVhcIom5Mc+qzCf6hGoNtFxN4zVx\n"
    "jVobFZhk2+ckPIvR/P8+6ZMo+jHkLxVe2x2cHhqMBJN3\n"
    "-----END RSA PRIVATE KEY-----\n";

const TokenService& service() {
  static const TokenService s(kKeyPem, 900);
  return s;
}

const Poco::Crypto::RSAKey& key() {
  static const Poco::Crypto::RSAKey k = [] {
    std::istringstream in(kKeyPem);
    return Poco::Crypto::RSAKey(nullptr, &in);
  }();
  return k;
}

/// What RS256 signs for "header.payload": PKCS #1 v1.5 is deterministic, so
/// a token that verifies must carry exactly this.
std::string rs256(const std::string& signingInput) {
  Poco::Crypto::RSADigestEngine engine(key(), "SHA256");
  engine.update(signingInput.data(), signingInput.size());
  const auto& sig = engine.signature();
  return secrets::base64Url(std::string(sig.begin(), sig.end()));
}

void checkClaims(const TokenClaims& c, const std::string& jwt) {
  check(c.expiresAt > kNow, "a verified token has not expired", jwt);
  check(c.notBefore <= kNow + TokenService::kLeewaySeconds &&
            c.issuedAt <= kNow + TokenService::kLeewaySeconds,
        "a verified token is valid now", jwt);
}

std::optional<TokenClaims> verify(const std::string& jwt) {
  try {
    TokenClaims c = service().verify(jwt, kNow);
    checkClaims(c, jwt);
    return c;
  } catch (const Error& e) {
    check(e.kind() == ErrorKind::Unauthorized, "a refused token is Unauthorized", jwt);
  }
  return std::nullopt;
}

void bearer(const std::string& jwt) {
  if (!verify(jwt)) return;
  auto dot = jwt.rfind('.');
  check(dot != std::string::npos && jwt.substr(dot + 1) == rs256(jwt.substr(0, dot)),
        "only the exact RS256 signature of the exact text verifies", jwt);
}

void signedPayload(const std::string& json) {
  Poco::JSON::Object::Ptr payload;
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(json);
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) return;
    payload = v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    return;
  }
  Poco::JWT::Token token;
  token.setType("JWT");
  for (const auto& name : payload->getNames()) token.payload().set(name, payload->get(name));
  Poco::JWT::Signer signer(Poco::SharedPtr<Poco::Crypto::RSAKey>(new Poco::Crypto::RSAKey(key())));
  std::string jwt = signer.sign(token, Poco::JWT::Signer::ALGO_RS256);
  auto claims = verify(jwt);
  if (!claims) return;
  check(payload->has("sub") && payload->get("sub").isString() &&
            claims->subject == payload->getValue<std::string>("sub"),
        "the subject is the payload's sub", json);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool validScope(const Scope& s) {
  auto actionChar = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '*' ||
           c == '_' || c == '-';
  };
  bool typeOk = !s.type.empty() && std::all_of(s.type.begin(), s.type.end(),
                                               [](char c) { return c >= 'a' && c <= 'z'; });
  bool nameOk = !s.name.empty() && std::none_of(s.name.begin(), s.name.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  });
  bool actionsOk = !s.actions.empty();
  for (std::size_t i = 0; i < s.actions.size(); ++i)
    actionsOk = actionsOk && !s.actions[i].empty() &&
                std::all_of(s.actions[i].begin(), s.actions[i].end(), actionChar) &&
                std::count(s.actions.begin(), s.actions.end(), s.actions[i]) == 1;
  return typeOk && nameOk && actionsOk;
}

std::optional<std::vector<Scope>> scopes(const std::vector<std::string>& values) {
  std::vector<Scope> parsed;
  try {
    parsed = parseScopes(values);
  } catch (const Error& e) {
    check(e.kind() == ErrorKind::BadRequest, "a bad scope is a BadRequest");
    check(isUtf8(e.what()), "the message can go into a JSON error body", e.what());
    return std::nullopt;
  }
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const Scope& s = parsed[i];
    check(validScope(s), "a parsed scope is well-formed", formatScope(s));
    for (std::size_t j = 0; j < i; ++j)
      check(parsed[j].type != s.type || parsed[j].name != s.name,
            "scopes of the same resource are merged", formatScope(s));
    check(parseScope(formatScope(s)) == s, "a scope reads back as it is written", formatScope(s));
  }
  return parsed;
}

void issued(const std::string& text) {
  auto parts = lines(text);
  parts.resize(3);
  // Tokens are issued to users, whose names AuthAdmin checked, or anonymous.
  if (!AuthAdmin::invalidNameReason(parts[0]).empty()) parts[0].clear();
  auto access = scopes({parts[1]});
  if (!access) return;
  std::optional<std::int64_t> tid;
  if (!parts[2].empty() && parts[2].size() <= 12 &&
      parts[2].find_first_not_of("0123456789") == std::string::npos)
    tid = std::stoll(parts[2]);
  IssuedToken t = service().issue(parts[0], *access, tid, kNow);
  auto c = verify(t.jwt);
  if (!c) fail("a token just issued verifies", t.jwt);
  check(c->subject == parts[0], "the subject survives the token", parts[0]);
  check(c->access == *access, "the access claim survives the token", parts[1]);
  check(c->apiTokenId == tid, "the API token id survives the token", parts[2]);
  check(c->id == t.claims.id && c->issuedAt == kNow && c->notBefore == kNow &&
            c->expiresAt == kNow + service().ttlSeconds(),
        "the times and id survive the token", t.jwt);
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata;
  if (size == 0) return 0;
  std::string rest(fuzz::asText(data + 1, size - 1));
  switch (data[0] % 4) {
    case 0:
      bearer(rest);
      break;
    case 1:
      signedPayload(rest);
      break;
    case 2:
      issued(rest);
      break;
    case 3:
      scopes(lines(rest));
      break;
  }
  return 0;
}
