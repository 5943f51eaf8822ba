#include "auth/Authenticator.h"

#include <Poco/Logger.h>

#include <ctime>
#include <thread>

#include "auth/PasswordHasher.h"
#include "auth/Secrets.h"
#include "auth/TokenService.h"
#include "meta/AuthRepository.h"
#include "util/Error.h"
#include "util/Sha256.h"

namespace strata {
namespace {

std::int64_t nowSeconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

bool startsWithNoCase(const std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

std::string afterScheme(const std::string& header, std::size_t schemeLength) {
  std::size_t i = schemeLength;
  while (i < header.size() && header[i] == ' ') ++i;
  std::string v = header.substr(i);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
  return v;
}

}  // namespace

Subject Authenticator::anonymous(const std::string& clientAddress) {
  Subject s;
  s.teams = {kAnonymousTeam};
  s.clientAddress = clientAddress;
  s.method = Subject::Method::Anonymous;
  return s;
}

Subject Authenticator::authenticate(const std::string& authorization,
                                    const std::string& clientAddress) {
  if (authorization.empty()) return anonymous(clientAddress);
  if (startsWithNoCase(authorization, "basic ")) {
    std::string decoded;
    try {
      decoded = secrets::unbase64(afterScheme(authorization, 6));
    } catch (const std::invalid_argument&) {
      throw Error(ErrorKind::Unauthorized, "malformed basic credentials");
    }
    auto colon = decoded.find(':');
    if (colon == std::string::npos || colon == 0)
      throw Error(ErrorKind::Unauthorized, "malformed basic credentials: expected user:password");
    return basic(decoded.substr(0, colon), decoded.substr(colon + 1), clientAddress);
  }
  if (startsWithNoCase(authorization, "bearer "))
    return bearer(afterScheme(authorization, 7), clientAddress);
  throw Error(ErrorKind::Unauthorized, "unsupported authorization scheme: use Basic or Bearer");
}

void Authenticator::waitForThrottle(const std::string& user, const std::string& clientAddress) {
  auto wait = throttle_.delay(user, clientAddress, LoginThrottle::Clock::now());
  if (wait.count() == 0) return;
  // Each waiting login holds a server thread: bound how many may wait.
  if (waiting_.fetch_add(1) >= kMaxWaitingLogins) {
    waiting_.fetch_sub(1);
    throw Error(ErrorKind::Busy, "too many failed logins: retry later");
  }
  std::this_thread::sleep_for(wait);
  waiting_.fetch_sub(1);
}

void Authenticator::loginFailed(const std::string& user, const std::string& clientAddress,
                                const std::string& why) {
  throttle_.failed(user, clientAddress, LoginThrottle::Clock::now());
  try {
    // The name is whatever the client sent: keep the log readable and small.
    std::string actor;
    for (char c : user.substr(0, 128)) {
      auto u = static_cast<unsigned char>(c);
      actor += (u < 0x20 || u == 0x7f) ? '?' : c;
    }
    repo_.audit({0, nowSeconds(), "login_failed", actor, clientAddress, "", why});
  } catch (const std::exception& e) {
    Poco::Logger::get("strata.auth").error("cannot write the audit log: %s", std::string(e.what()));
  }
  throw Error(ErrorKind::Unauthorized, "invalid user name, password or API token");
}

Subject Authenticator::basic(const std::string& user, const std::string& secret,
                             const std::string& clientAddress) {
  waitForThrottle(user, clientAddress);
  std::int64_t at = nowSeconds();
  Subject s;
  s.clientAddress = clientAddress;

  if (secret.rfind(kApiTokenPrefix, 0) == 0) {
    // Looked up by the SHA-256 of the secret (indexed); the stored hash is
    // then compared in constant time all the same.
    std::string hash = Sha256::hex(secret), stored;
    auto token = repo_.findTokenBySecretHash(hash, stored);
    if (token && secrets::constantTimeEquals(hash, stored) && token->user == user) {
      if (!token->activeAt(at))
        loginFailed(
            user, clientAddress,
            "API token '" + token->name + "' is " + (token->revokedAt ? "revoked" : "expired"));
      repo_.touchToken(token->id, at);
      throttle_.succeeded(user, clientAddress);
      s.user = token->user;
      s.userId = token->userId;
      s.teams = repo_.teamsOf(token->userId);
      s.method = Subject::Method::ApiToken;
      s.apiTokenId = token->id;
      return s;
    }
    // Not a token of this user: it may still be a password that happens to
    // start with the prefix.
  }

  auto record = repo_.findUser(user);
  if (!record) {
    hasher_.burn(secret);  // as slow as a wrong password: user names do not leak
    loginFailed(user, clientAddress, "unknown user");
  }
  if (!hasher_.verify(secret, record->passwordHash))
    loginFailed(user, clientAddress, "wrong password");
  throttle_.succeeded(user, clientAddress);
  s.user = record->name;
  s.userId = record->id;
  s.teams = repo_.teamsOf(record->id);
  s.method = Subject::Method::Password;
  return s;
}

Subject Authenticator::bearer(const std::string& jwt, const std::string& clientAddress) {
  if (tokens_ == nullptr) throw Error(ErrorKind::Unauthorized, "bearer tokens are not enabled");
  std::int64_t at = nowSeconds();
  TokenClaims claims = tokens_->verify(jwt, at);
  Subject s;
  if (claims.subject.empty()) {
    s = anonymous(clientAddress);
  } else {
    auto user = repo_.findUser(claims.subject);
    if (!user) throw Error(ErrorKind::Unauthorized, "invalid token: the user no longer exists");
    s.user = user->name;
    s.userId = user->id;
    s.teams = repo_.teamsOf(user->id);
    s.clientAddress = clientAddress;
  }
  if (claims.apiTokenId) {
    auto token = repo_.findTokenById(*claims.apiTokenId);
    if (!token || token->user != s.user || !token->activeAt(at))
      throw Error(ErrorKind::Unauthorized,
                  "invalid token: the API token it was issued for is revoked or expired");
    s.apiTokenId = token->id;
  }
  s.method = Subject::Method::Bearer;
  s.tokenAccess = std::move(claims.access);
  return s;
}

}  // namespace strata
