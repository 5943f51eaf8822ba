#pragma once

#include <cstdint>
#include <optional>

#include "http/Handler.h"

namespace strata {

/// GET /v2/: the API version check.
class BaseHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
};

/// GET /v2/_catalog?n=&last=
class CatalogHandler : public Handler {
 public:
  using Handler::Handler;

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
};

/// GET /v2/<name>/tags/list?n=&last=: tags ever resolved for the name.
class TagsHandler : public Handler {
 public:
  TagsHandler(ServerContext& ctx, std::string name) : Handler(ctx), name_(std::move(name)) {}

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;

 private:
  std::string name_;
};

/// GET|HEAD /v2/<name>/manifests/<tag|digest>: builds on a tag that is not built yet.
class ManifestHandler : public Handler {
 public:
  ManifestHandler(ServerContext& ctx, std::string name, std::string reference)
      : Handler(ctx), name_(std::move(name)), reference_(std::move(reference)) {}

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;
  bool checksImagePolicies() const override { return true; }

 private:
  std::string name_;
  std::string reference_;
};

/// GET|HEAD /v2/<name>/blobs/<digest>, with Range.
class BlobHandler : public Handler {
 public:
  BlobHandler(ServerContext& ctx, std::string name, std::string digest)
      : Handler(ctx), name_(std::move(name)), digest_(std::move(digest)) {}

 protected:
  void handle(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&) override;

 private:
  std::string name_;
  std::string digest_;
};

/// Parses `n` and `last` of a list request. n is capped at 1000.
struct Page {
  std::size_t n = 1000;
  bool limited = false;
  std::string last;
};
Page parsePage(const std::map<std::string, std::string>& query);

/// A byte range of a blob of `size` bytes from a Range header value; nullopt
/// for a header we ignore (several ranges). Throws Error(InvalidRange) when
/// the range cannot be satisfied.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  ///< inclusive
};
std::optional<ByteRange> parseRange(const std::string& header, std::uint64_t size);

}  // namespace strata
