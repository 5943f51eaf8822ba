#include "storage/s3/SigV4.h"

#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "util/Sha256.h"

namespace strata::s3 {
namespace {

constexpr const char* kAlgorithm = "AWS4-HMAC-SHA256";
constexpr const char* kService = "s3";

std::string hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string hex(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Trims and folds inner runs of spaces, as SigV4's Trimall.
std::string trimAll(const std::string& value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string canonicalQuery(const Pairs& query) {
  Pairs encoded;
  for (const auto& [k, v] : query) encoded.emplace_back(uriEncode(k), uriEncode(v));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

/// Host and the given headers, lower-cased and sorted; the names joined by ';'.
std::pair<std::string, std::string> canonicalHeaders(const SignedRequest& r) {
  std::vector<std::pair<std::string, std::string>> all{{"host", trimAll(r.host)}};
  for (const auto& [k, v] : r.headers) all.emplace_back(lower(k), trimAll(v));
  std::sort(all.begin(), all.end());
  std::string text, names;
  for (const auto& [k, v] : all) {
    text += k + ":" + v + "\n";
    names += (names.empty() ? "" : ";") + k;
  }
  return {text, names};
}

std::string scopeOf(const std::string& date, const std::string& region) {
  return date.substr(0, 8) + "/" + region + "/" + kService + "/aws4_request";
}

std::string signature(const std::string& canonical, const std::string& date,
                      const std::string& region, const Credentials& c) {
  std::string toSign = std::string(kAlgorithm) + "\n" + date + "\n" + scopeOf(date, region) + "\n" +
                       sha256Hex(canonical);
  std::string key = hmac("AWS4" + c.secretAccessKey, date.substr(0, 8));
  key = hmac(key, region);
  key = hmac(key, kService);
  key = hmac(key, "aws4_request");
  return hex(hmac(key, toSign));
}

}  // namespace

std::string uriEncode(std::string_view text, bool encodeSlash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (c == '/' && !encodeSlash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string amzDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string sha256Hex(std::string_view bytes) {
  return Sha256::hex(bytes);
}

std::string canonicalRequest(const SignedRequest& r) {
  auto [headers, names] = canonicalHeaders(r);
  return r.method + "\n" + (r.path.empty() ? "/" : r.path) + "\n" + canonicalQuery(r.query) + "\n" +
         headers + "\n" + names + "\n" + r.payloadHash;
}

Pairs signHeaders(const SignedRequest& request, const Credentials& credentials,
                  const std::string& region, std::time_t now) {
  std::string date = amzDate(now);
  SignedRequest r = request;
  r.headers.emplace_back("x-amz-date", date);
  r.headers.emplace_back("x-amz-content-sha256", r.payloadHash);
  std::string canonical = canonicalRequest(r);
  std::string names = canonicalHeaders(r).second;
  std::string auth = std::string(kAlgorithm) + " Credential=" + credentials.accessKeyId + "/" +
                     scopeOf(date, region) + ", SignedHeaders=" + names +
                     ", Signature=" + signature(canonical, date, region, credentials);
  return {{"X-Amz-Date", date}, {"X-Amz-Content-SHA256", r.payloadHash}, {"Authorization", auth}};
}

std::string presignUrl(const std::string& scheme, const SignedRequest& request,
                       const Credentials& credentials, const std::string& region, std::time_t now,
                       int expiresSeconds) {
  std::string date = amzDate(now);
  SignedRequest r = request;
  r.headers.clear();
  r.payloadHash = "UNSIGNED-PAYLOAD";
  r.query.emplace_back("X-Amz-Algorithm", kAlgorithm);
  r.query.emplace_back("X-Amz-Credential", credentials.accessKeyId + "/" + scopeOf(date, region));
  r.query.emplace_back("X-Amz-Date", date);
  r.query.emplace_back("X-Amz-Expires", std::to_string(expiresSeconds));
  r.query.emplace_back("X-Amz-SignedHeaders", "host");
  std::string sig = signature(canonicalRequest(r), date, region, credentials);
  return scheme + "://" + r.host + (r.path.empty() ? "/" : r.path) + "?" + canonicalQuery(r.query) +
         "&X-Amz-Signature=" + sig;
}

}  // namespace strata::s3
