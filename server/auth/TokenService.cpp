#include "auth/TokenService.h"

#include <Poco/Crypto/OpenSSLInitializer.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/Token.h>
#include <Poco/Logger.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "auth/Secrets.h"
#include "util/Error.h"

namespace strata {
namespace {

/// Exactly three non-empty parts of canonical base64url (no padding, unused
/// bits zero): Poco's parser takes what follows a signature, or an encoding
/// with other trailing bits, as the same token.
bool isCompactJws(const std::string& jwt) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::size_t start = 0;
  for (int part = 0; part < 3; ++part) {
    std::size_t end = part < 2 ? jwt.find('.', start) : jwt.size();
    if (end == std::string::npos || end == start) return false;
    std::size_t length = end - start;
    if (length % 4 == 1) return false;
    for (std::size_t i = start; i < end; ++i)
      if (kAlphabet.find(jwt[i]) == std::string::npos) return false;
    auto last = kAlphabet.find(jwt[end - 1]);
    if ((length % 4 == 2 && (last & 0xF) != 0) || (length % 4 == 3 && (last & 0x3) != 0))
      return false;
    start = end + 1;
  }
  return start == jwt.size() + 1;
}

constexpr std::size_t kMaxTokenBytes = 16 * 1024;
constexpr const char* kKeyFileName = "token-signing-key.pem";

[[noreturn]] void invalid(const std::string& why) {
  throw Error(ErrorKind::Unauthorized, "invalid token: " + why);
}

std::string readKeyFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(what + ": cannot read '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void warnIfReadableByOthers(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    Poco::Logger::get("strata.auth")
        .warning("token signing key %s is readable by group or others (mode %o): chmod 600 it",
                 path, static_cast<unsigned>(st.st_mode & 0777));
}

std::string generateKeyPem() {
  Poco::Crypto::RSAKey key(Poco::Crypto::RSAKey::KL_2048, Poco::Crypto::RSAKey::EXP_LARGE);
  std::ostringstream pub, priv;
  key.save(&pub, &priv);
  return priv.str();
}

/// Writes `content` to `path` only if `path` does not exist yet (mode 0600):
/// written to a private temporary file, then hard-linked into place, which
/// fails when another process got there first. Returns false in that case.
bool createExclusively(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + tmp);
  }
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc == 0) return true;
  if (err == EEXIST) return false;
  throw std::runtime_error("cannot create " + path + ": " + std::strerror(err));
}

std::int64_t numericClaim(const Poco::JSON::Object& payload, const std::string& claim) {
  if (!payload.has(claim)) invalid("no '" + claim + "' claim");
  auto v = payload.get(claim);
  if (!v.isNumeric()) invalid("'" + claim + "' is not a number");
  double d = v.convert<double>();
  if (!std::isfinite(d) || d < 0 || d > 1e12) invalid("'" + claim + "' is out of range");
  return static_cast<std::int64_t>(d);
}

std::string stringClaim(const Poco::JSON::Object& payload, const std::string& claim) {
  if (!payload.has(claim)) invalid("no '" + claim + "' claim");
  auto v = payload.get(claim);
  if (!v.isString()) invalid("'" + claim + "' is not a string");
  return v.extract<std::string>();
}

std::vector<Scope> accessClaim(const Poco::JSON::Object& payload) {
  std::vector<Scope> out;
  if (!payload.has("access")) return out;
  auto list = payload.getArray("access");
  if (!list) invalid("'access' is not a list");
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto entry = list->getObject(static_cast<unsigned>(i));
    if (!entry) invalid("an 'access' entry is not an object");
    Scope s;
    s.type = stringClaim(*entry, "type");
    s.name = stringClaim(*entry, "name");
    auto actions = entry->getArray("actions");
    if (!actions) invalid("an 'access' entry has no 'actions' list");
    for (std::size_t j = 0; j < actions->size(); ++j) {
      auto a = actions->get(static_cast<unsigned>(j));
      if (!a.isString()) invalid("an action is not a string");
      s.actions.push_back(a.extract<std::string>());
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

TokenService::TokenService(const std::string& privateKeyPem, int ttlSeconds) : ttl_(ttlSeconds) {
  Poco::Crypto::initializeCrypto();
  Poco::SharedPtr<Poco::Crypto::RSAKey> key;
  try {
    std::istringstream priv(privateKeyPem);
    key = new Poco::Crypto::RSAKey(nullptr, &priv);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("the token signing key is not a PEM RSA private key: " +
                             e.displayText());
  }
  signer_ = std::make_unique<Poco::JWT::Signer>(key);
  // Only RS256: a token claiming another algorithm is refused before its
  // signature is even looked at.
  signer_->setAlgorithms({Poco::JWT::Signer::ALGO_RS256});
}

TokenService::~TokenService() = default;

std::string TokenService::loadOrCreateSigningKey(const std::string& keyFile,
                                                 const std::string& dataDir) {
  if (!keyFile.empty()) {
    warnIfReadableByOthers(keyFile);
    return readKeyFile(keyFile, "auth.signingKeyFile");
  }
  std::filesystem::create_directories(dataDir);
  std::string path = dataDir + "/" + kKeyFileName;
  if (!std::filesystem::exists(path)) {
    Poco::Crypto::initializeCrypto();
    if (createExclusively(path, generateKeyPem()))
      Poco::Logger::get("strata.auth").information("generated token signing key %s", path);
  }
  warnIfReadableByOthers(path);
  return readKeyFile(path, "the token signing key");
}

IssuedToken TokenService::issue(const std::string& subject, const std::vector<Scope>& access,
                                std::optional<std::int64_t> apiTokenId, std::int64_t now) const {
  IssuedToken out;
  TokenClaims& c = out.claims;
  c.subject = subject;
  c.access = access;
  c.apiTokenId = apiTokenId;
  c.issuedAt = now;
  c.notBefore = now;
  c.expiresAt = now + ttl_;
  c.id = secrets::base64Url(secrets::randomBytes(16));

  Poco::JWT::Token token;
  token.setType("JWT");
  token.setIssuer(kIssuer);
  token.setAudience(std::string(kAudience));
  token.setSubject(subject);
  token.setId(c.id);
  // Whole seconds, as RFC 7519 NumericDate is usually written (Poco would
  // write fractional seconds).
  auto& p = token.payload();
  p.set("iat", static_cast<Poco::Int64>(c.issuedAt));
  p.set("nbf", static_cast<Poco::Int64>(c.notBefore));
  p.set("exp", static_cast<Poco::Int64>(c.expiresAt));
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& s : access) {
    Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    e->set("type", s.type);
    e->set("name", s.name);
    Poco::JSON::Array::Ptr actions = new Poco::JSON::Array();
    for (const auto& a : s.actions) actions->add(a);
    e->set("actions", actions);
    list->add(e);
  }
  p.set("access", list);
  if (apiTokenId) p.set("strata_tid", static_cast<Poco::Int64>(*apiTokenId));
  out.jwt = signer_->sign(token, Poco::JWT::Signer::ALGO_RS256);
  return out;
}

TokenClaims TokenService::verify(const std::string& jwt, std::int64_t now) const {
  if (jwt.empty() || jwt.size() > kMaxTokenBytes) invalid("empty or too long");
  if (!isCompactJws(jwt)) invalid("not three canonical base64url parts");
  Poco::JWT::Token token;
  try {
    // Parse first, to refuse any algorithm but RS256 by name before the
    // signature check (belt and braces: the signer allows only RS256 too).
    Poco::JWT::Token unverified(jwt);
    if (unverified.getAlgorithm() != Poco::JWT::Signer::ALGO_RS256)
      invalid("algorithm '" + unverified.getAlgorithm() + "' is not accepted");
    token = signer_->verify(jwt);
  } catch (const Error&) {
    throw;
  } catch (const Poco::Exception& e) {
    invalid(e.name());
  } catch (const std::exception&) {
    invalid("malformed");
  }

  const auto& p = token.payload();
  TokenClaims c;
  try {
    if (stringClaim(p, "iss") != kIssuer) invalid("wrong issuer");
    auto aud = token.getAudience();
    if (std::find(aud.begin(), aud.end(), kAudience) == aud.end()) invalid("wrong audience");
    c.subject = stringClaim(p, "sub");
    c.id = p.has("jti") ? stringClaim(p, "jti") : "";
    c.issuedAt = numericClaim(p, "iat");
    c.notBefore = p.has("nbf") ? numericClaim(p, "nbf") : c.issuedAt;
    c.expiresAt = numericClaim(p, "exp");
    c.access = accessClaim(p);
    if (p.has("strata_tid")) c.apiTokenId = numericClaim(p, "strata_tid");
  } catch (const Error&) {
    throw;
  } catch (const std::exception&) {
    invalid("malformed claims");
  }
  if (c.expiresAt <= now) invalid("expired");
  if (c.notBefore > now + kLeewaySeconds || c.issuedAt > now + kLeewaySeconds)
    invalid("not valid yet");
  return c;
}

}  // namespace strata
