#include "storage/s3/S3Client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <ctime>
#include <istream>
#include <ostream>
#include <thread>

#include "storage/BlobStore.h"

namespace strata::s3 {
namespace {

/// The inner texts of every <tag>…</tag> in `xml` (S3's answers do not nest
/// a tag in itself), with the five predefined entities unescaped.
std::vector<std::string> elements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  std::size_t at = 0;
  while ((at = xml.find(open, at)) != std::string::npos) {
    std::size_t start = at + open.size();
    std::size_t end = xml.find(close, start);
    if (end == std::string::npos) break;
    std::string text = xml.substr(start, end - start);
    std::string plain;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '&') {
        plain += text[i];
        continue;
      }
      auto semi = text.find(';', i);
      std::string entity = semi == std::string::npos ? "" : text.substr(i, semi - i + 1);
      const char* to = entity == "&amp;"    ? "&"
                       : entity == "&lt;"   ? "<"
                       : entity == "&gt;"   ? ">"
                       : entity == "&quot;" ? "\""
                       : entity == "&apos;" ? "'"
                                            : nullptr;
      if (to == nullptr) {
        plain += text[i];
        continue;
      }
      plain += to;
      i = semi;
    }
    out.push_back(std::move(plain));
    at = end + close.size();
  }
  return out;
}

std::string first(const std::string& xml, const std::string& tag) {
  auto all = elements(xml, tag);
  return all.empty() ? "" : all.front();
}

/// "2026-12-03T10:35:48.000Z" → seconds since the epoch; 0 when malformed.
std::int64_t parseTime(const std::string& iso) {
  std::tm tm{};
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string oneLine(std::string s) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s.size() > 300 ? s.substr(0, 300) + "…" : s;
}

bool retryable(int status) {
  return status == 0 || status >= 500;
}

const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace

// --- Endpoint ------------------------------------------------------------------------------

Endpoint Endpoint::parse(const std::string& url, std::string bucket, std::string region,
                         bool pathStyle) {
  Endpoint e;
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& ex) {
    throw std::invalid_argument("'" + url + "' is not a URL: " + ex.message());
  }
  if (uri.getScheme() != "http" && uri.getScheme() != "https")
    throw std::invalid_argument("'" + url + "' must start with http:// or https://");
  if (uri.getHost().empty()) throw std::invalid_argument("'" + url + "' names no host");
  if (!uri.getPath().empty() && uri.getPath() != "/")
    throw std::invalid_argument("'" + url + "' must not have a path: the bucket is its own key");
  e.scheme = uri.getScheme();
  e.host = uri.getHost();
  e.port = uri.getPort();
  e.bucket = std::move(bucket);
  e.region = std::move(region);
  e.pathStyle = pathStyle;
  return e;
}

std::string Endpoint::hostHeader() const {
  bool defaultPort = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  std::string h = pathStyle ? host : bucket + "." + host;
  return defaultPort ? h : h + ":" + std::to_string(port);
}

std::string Endpoint::pathOf(const std::string& key) const {
  std::string encoded = "/" + uriEncode(key, /*encodeSlash=*/false);
  return pathStyle ? "/" + uriEncode(bucket) + encoded : encoded;
}

std::string Endpoint::url() const {
  return scheme + "://" + host + ":" + std::to_string(port);
}

// --- S3Client ------------------------------------------------------------------------------

S3Client::S3Client(Endpoint endpoint, Credentials credentials, Options options)
    : endpoint_(std::move(endpoint)), credentials_(std::move(credentials)), options_(options) {}

S3Client::~S3Client() = default;

std::string S3Client::Response::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (Poco::icompare(k, name) == 0) return v;
  return "";
}

std::unique_ptr<Poco::Net::HTTPClientSession> S3Client::takeSession() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      auto s = std::move(idle_.back());
      idle_.pop_back();
      return s;
    }
  }
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (endpoint_.scheme == "https") {
    static Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_RELAXED, 9,
        /*loadDefaultCAs=*/true);
    session =
        std::make_unique<Poco::Net::HTTPSClientSession>(endpoint_.host, endpoint_.port, context);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(endpoint_.host, endpoint_.port);
  }
  session->setTimeout(Poco::Timespan(options_.timeout.count(), 0));
  session->setKeepAlive(true);
  return session;
}

void S3Client::giveBack(std::unique_ptr<Poco::Net::HTTPClientSession> session) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < 16) idle_.push_back(std::move(session));
}

S3Client::Response S3Client::sendOnce(const std::string& method, const std::string& path,
                                      const Pairs& query, const std::string& body,
                                      const std::string& payloadHash, const Pairs& extraHeaders,
                                      const std::function<bool(const char*, std::size_t)>& onBody) {
  std::string target = path;
  for (std::size_t i = 0; i < query.size(); ++i)
    target +=
        (i == 0 ? "?" : "&") + uriEncode(query[i].first) +
        (query[i].second.empty() && query[i].first == "uploads" ? ""
                                                                : "=" + uriEncode(query[i].second));
  Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setHost(endpoint_.hostHeader());
  SignedRequest toSign{method, endpoint_.hostHeader(), path, query, {}, payloadHash};
  for (const auto& [k, v] : extraHeaders) {
    request.set(k, v);
    if (Poco::icompare(k.substr(0, 6), std::string("x-amz-")) == 0)
      toSign.headers.emplace_back(k, v);
  }
  for (const auto& [k, v] : signHeaders(toSign, credentials_, endpoint_.region, std::time(nullptr)))
    request.set(k, v);
  if (method == "PUT" || method == "POST") request.setContentLength64(body.size());

  auto session = takeSession();
  Response response;
  try {
    std::ostream& out = session->sendRequest(request);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse answer;
    std::istream& in = session->receiveResponse(answer);
    response.status = static_cast<int>(answer.getStatus());
    for (const auto& [k, v] : answer) response.headers.emplace_back(k, v);
    bool reusable = true;
    if (method != "HEAD") {
      char buf[64 << 10];
      bool ok = response.status / 100 == 2 && onBody;
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        auto n = static_cast<std::size_t>(in.gcount());
        if (ok) {
          if (!onBody(buf, n)) {
            reusable = false;  // the rest of the body is still on the wire
            break;
          }
        } else {
          response.body.append(buf, n);
        }
      }
    }
    if (reusable) giveBack(std::move(session));
  } catch (const Poco::Exception& e) {
    // Not reached, reset, timed out: worth another try on a new connection.
    response.status = 0;
    response.body = e.displayText();
  }
  return response;
}

S3Client::Response S3Client::send(const std::string& method, const std::string& key,
                                  const Pairs& query, const std::string& body,
                                  const std::string& payloadHash, const Pairs& extraHeaders,
                                  const std::function<bool(const char*, std::size_t)>& onBody) {
  std::string path = key.empty() ? (endpoint_.pathStyle ? "/" + uriEncode(endpoint_.bucket) : "/")
                                 : endpoint_.pathOf(key);
  auto wait = options_.backoff;
  Response response;
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    response = sendOnce(method, path, query, body, payloadHash, extraHeaders, onBody);
    if (!retryable(response.status)) return response;
    if (attempt < options_.attempts) {
      std::this_thread::sleep_for(wait);
      wait *= 2;
    }
  }
  return response;
}

void S3Client::fail(const std::string& what, const Response& r) const {
  std::string where = "bucket '" + endpoint_.bucket + "' at " + endpoint_.url();
  if (r.status == 0)
    throw S3Error(
        0, "", "S3 " + what + ": cannot reach " + endpoint_.url() + " (" + oneLine(r.body) + ")");
  std::string code = first(r.body, "Code"), message = first(r.body, "Message");
  std::string said = std::to_string(r.status) + (code.empty() ? "" : " " + code) +
                     (message.empty() ? "" : ": " + oneLine(message));
  if (code == "NoSuchBucket")
    throw S3Error(r.status, code, "S3 " + where + " does not exist (" + said + ")");
  if (r.status == 403)
    throw S3Error(r.status, code,
                  "S3 refused " + what + " on " + where + " (" + said +
                      "): check storage.s3.accessKeyId and storage.s3.secretAccessKeyFile");
  throw S3Error(r.status, code, "S3 " + what + " on " + where + " failed (" + said + ")");
}

void S3Client::checkBucket() {
  Response r = send("GET", "", {{"list-type", "2"}, {"max-keys", "1"}}, "", kEmptySha256);
  if (r.status / 100 != 2) fail("listing the bucket", r);
}

std::optional<ObjectInfo> S3Client::head(const std::string& key) {
  Response r = send("HEAD", key, {}, "", kEmptySha256);
  if (r.status == 404) return std::nullopt;
  if (r.status / 100 != 2) fail("HEAD " + key, r);
  ObjectInfo info{key, 0, 0};
  try {
    info.size = std::stoull(r.header("Content-Length"));
  } catch (const std::exception&) {
    fail("HEAD " + key + " (no Content-Length)", r);
  }
  return info;
}

void S3Client::put(const std::string& key, const std::string& body, const std::string& sha256Hex) {
  Response r =
      send("PUT", key, {}, body, sha256Hex, {{"Content-Type", "application/octet-stream"}});
  if (r.status / 100 != 2) fail("PUT " + key, r);
}

std::optional<std::string> S3Client::get(const std::string& key) {
  Response r = send("GET", key, {}, "", kEmptySha256);
  if (r.status == 404 && first(r.body, "Code") != "NoSuchBucket") return std::nullopt;
  if (r.status / 100 != 2) fail("GET " + key, r);
  return std::move(r.body);
}

std::uint64_t S3Client::getRange(const std::string& key, std::uint64_t offset, std::uint64_t length,
                                 BlobSink& sink) {
  std::uint64_t sent = 0;
  bool sinkGone = false;
  auto wait = options_.backoff;
  std::string path = endpoint_.pathOf(key);
  for (int attempt = 1; attempt <= options_.attempts && sent < length && !sinkGone; ++attempt) {
    // A retry asks only for what has not arrived yet.
    std::string range =
        "bytes=" + std::to_string(offset + sent) + "-" + std::to_string(offset + length - 1);
    Response r = sendOnce("GET", path, {}, "", kEmptySha256, {{"Range", range}},
                          [&](const char* data, std::size_t n) {
                            n = static_cast<std::size_t>(std::min<std::uint64_t>(n, length - sent));
                            if (!sink.write(data, n)) {
                              sinkGone = true;
                              return false;
                            }
                            sent += n;
                            return true;
                          });
    if (r.status / 100 == 2 || sinkGone) continue;
    if (!retryable(r.status)) fail("GET " + key, r);
    if (attempt == options_.attempts) fail("GET " + key, r);
    std::this_thread::sleep_for(wait);
    wait *= 2;
  }
  return sent;
}

void S3Client::remove(const std::string& key) {
  Response r = send("DELETE", key, {}, "", kEmptySha256);
  if (r.status / 100 != 2 && r.status != 404) fail("DELETE " + key, r);
}

void S3Client::list(const std::string& prefix, const std::function<void(const ObjectInfo&)>& each) {
  std::string token;
  while (true) {
    Pairs query{{"list-type", "2"}, {"prefix", prefix}, {"max-keys", "1000"}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    Response r = send("GET", "", query, "", kEmptySha256);
    if (r.status / 100 != 2) fail("listing " + prefix, r);
    for (const auto& entry : elements(r.body, "Contents")) {
      ObjectInfo info{first(entry, "Key"), 0, parseTime(first(entry, "LastModified"))};
      try {
        info.size = std::stoull(first(entry, "Size"));
      } catch (const std::exception&) {
        continue;
      }
      each(info);
    }
    token = first(r.body, "NextContinuationToken");
    if (first(r.body, "IsTruncated") != "true" || token.empty()) return;
  }
}

std::string S3Client::createMultipartUpload(const std::string& key) {
  Response r = send("POST", key, {{"uploads", ""}}, "", kEmptySha256,
                    {{"Content-Type", "application/octet-stream"}});
  std::string id = first(r.body, "UploadId");
  if (r.status / 100 != 2 || id.empty()) fail("starting a multipart upload of " + key, r);
  return id;
}

std::string S3Client::uploadPart(const std::string& key, const std::string& uploadId,
                                 int partNumber, const std::string& body) {
  Response r =
      send("PUT", key, {{"partNumber", std::to_string(partNumber)}, {"uploadId", uploadId}}, body,
           sha256Hex(body));
  std::string etag = r.header("ETag");
  if (r.status / 100 != 2 || etag.empty())
    fail("uploading part " + std::to_string(partNumber) + " of " + key, r);
  return etag;
}

void S3Client::completeMultipartUpload(const std::string& key, const std::string& uploadId,
                                       const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (std::size_t i = 0; i < etags.size(); ++i)
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] +
           "</ETag></Part>";
  xml += "</CompleteMultipartUpload>";
  Response r = send("POST", key, {{"uploadId", uploadId}}, xml, sha256Hex(xml),
                    {{"Content-Type", "application/xml"}});
  // S3 can answer 200 with an error in the body.
  if (r.status / 100 != 2 || !first(r.body, "Code").empty())
    fail("completing the multipart upload of " + key, r);
}

void S3Client::abortMultipartUpload(const std::string& key, const std::string& uploadId) {
  send("DELETE", key, {{"uploadId", uploadId}}, "", kEmptySha256);
}

std::string S3Client::presignGet(const std::string& key, int seconds) const {
  SignedRequest r{"GET", endpoint_.hostHeader(), endpoint_.pathOf(key), {}, {}, ""};
  return presignUrl(endpoint_.scheme, r, credentials_, endpoint_.region, std::time(nullptr),
                    seconds);
}

}  // namespace strata::s3
