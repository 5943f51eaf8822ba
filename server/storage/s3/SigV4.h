#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::s3 {

struct Credentials {
  std::string accessKeyId;
  std::string secretAccessKey;
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

/// What AWS Signature Version 4 covers of a request.
struct SignedRequest {
  std::string method;       ///< "GET", "PUT", …
  std::string host;         ///< the Host header: "host[:port]"
  std::string path;         ///< the request path as sent, already percent-encoded
  Pairs query;              ///< decoded names and values, any order
  Pairs headers;            ///< further headers to sign (x-amz-*), any case
  std::string payloadHash;  ///< hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

/// Percent-encodes every byte but A–Z a–z 0–9 - . _ ~ (and '/' unless
/// `encodeSlash`), as SigV4 and S3 paths need.
std::string uriEncode(std::string_view text, bool encodeSlash = true);

/// "20261203T103548Z" for `t`.
std::string amzDate(std::time_t t);

/// The canonical request (exposed for tests and error messages).
std::string canonicalRequest(const SignedRequest& request);

/// The headers to send with `request` signed at `now`: X-Amz-Date,
/// X-Amz-Content-SHA256 and Authorization.
Pairs signHeaders(const SignedRequest& request, const Credentials& credentials,
                  const std::string& region, std::time_t now);

/// A presigned URL for `request` (the payload is UNSIGNED-PAYLOAD and only
/// Host is signed), valid `expiresSeconds` from `now`: `scheme://host path?…`.
std::string presignUrl(const std::string& scheme, const SignedRequest& request,
                       const Credentials& credentials, const std::string& region, std::time_t now,
                       int expiresSeconds);

/// Hex SHA-256 of bytes.
std::string sha256Hex(std::string_view bytes);

}  // namespace strata::s3
