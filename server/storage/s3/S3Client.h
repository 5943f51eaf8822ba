#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/s3/SigV4.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace strata {
class BlobSink;
}

namespace strata::s3 {

/// Where the bucket is and how to reach it.
struct Endpoint {
  std::string scheme = "http";  ///< "http" or "https"
  std::string host;             ///< of the endpoint, without the bucket
  unsigned short port = 80;
  std::string bucket;
  std::string region = "us-east-1";
  bool pathStyle = true;  ///< "/bucket/key"; else "bucket.host/key"

  /// Parses "http(s)://host[:port]"; throws std::invalid_argument.
  static Endpoint parse(const std::string& url, std::string bucket, std::string region,
                        bool pathStyle);
  /// The Host header for requests on the bucket.
  std::string hostHeader() const;
  /// The request path of an object key ("/bucket/key" or "/key"), encoded.
  std::string pathOf(const std::string& key) const;
  /// "http://host:port" as configured, for messages.
  std::string url() const;
};

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::int64_t modifiedAt = 0;  ///< seconds since the epoch
};

/// An S3 request failed for good (after retries where they help). `status`
/// is the HTTP status, 0 when the endpoint could not be reached.
class S3Error : public std::runtime_error {
 public:
  S3Error(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }  ///< S3's error code, e.g. "NoSuchBucket"

 private:
  int status_;
  std::string code_;
};

/// The S3 REST operations the blob store needs, signed with SigV4, over a
/// few kept-alive connections. Failures of the connection and 5xx answers
/// are retried with exponential backoff; 4xx are not. Thread-safe.
class S3Client {
 public:
  struct Options {
    int attempts = 4;                        ///< tries per request
    std::chrono::milliseconds backoff{100};  ///< first wait; doubles each retry
    std::chrono::seconds timeout{30};        ///< connect, send and receive
  };

  S3Client(Endpoint endpoint, Credentials credentials, Options options);
  S3Client(Endpoint endpoint, Credentials credentials)
      : S3Client(std::move(endpoint), std::move(credentials), Options{}) {}
  ~S3Client();

  /// Throws S3Error naming the bucket and what to check when the bucket
  /// cannot be used (missing, access refused, unreachable).
  void checkBucket();

  std::optional<ObjectInfo> head(const std::string& key);
  void put(const std::string& key, const std::string& body, const std::string& sha256Hex);
  /// The whole object; nullopt when there is none.
  std::optional<std::string> get(const std::string& key);
  /// Streams bytes [offset, offset + length) into `sink`; returns how many
  /// arrived before the sink went away. Resumes after connection failures.
  std::uint64_t getRange(const std::string& key, std::uint64_t offset, std::uint64_t length,
                         BlobSink& sink);
  void remove(const std::string& key);
  /// Every object under `prefix`, page by page.
  void list(const std::string& prefix, const std::function<void(const ObjectInfo&)>& each);

  std::string createMultipartUpload(const std::string& key);
  /// Returns the part's ETag.
  std::string uploadPart(const std::string& key, const std::string& uploadId, int partNumber,
                         const std::string& body);
  void completeMultipartUpload(const std::string& key, const std::string& uploadId,
                               const std::vector<std::string>& etags);
  void abortMultipartUpload(const std::string& key, const std::string& uploadId);

  /// A URL anyone may GET the object with until `seconds` from now.
  std::string presignGet(const std::string& key, int seconds) const;

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct Response {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string header(const std::string& name) const;
  };
  /// Sends one request, retrying where it helps. `onBody`, when given,
  /// receives the body of a 2xx answer as it arrives (and the response's
  /// body stays empty); it returns false to stop reading.
  Response send(const std::string& method, const std::string& key, const Pairs& query,
                const std::string& body, const std::string& payloadHash,
                const Pairs& extraHeaders = {},
                const std::function<bool(const char*, std::size_t)>& onBody = {});
  Response sendOnce(const std::string& method, const std::string& path, const Pairs& query,
                    const std::string& body, const std::string& payloadHash,
                    const Pairs& extraHeaders,
                    const std::function<bool(const char*, std::size_t)>& onBody);
  [[noreturn]] void fail(const std::string& what, const Response& response) const;

  std::unique_ptr<Poco::Net::HTTPClientSession> takeSession();
  void giveBack(std::unique_ptr<Poco::Net::HTTPClientSession> session);

  Endpoint endpoint_;
  Credentials credentials_;
  Options options_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> idle_;
};

}  // namespace strata::s3
