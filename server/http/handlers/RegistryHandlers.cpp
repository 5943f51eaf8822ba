#include "http/handlers/RegistryHandlers.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <sstream>

#include "build/BuildService.h"
#include "config/Config.h"
#include "image/ImageName.h"
#include "image/Manifest.h"
#include "meta/ImageRepository.h"
#include "storage/BlobStore.h"
#include "util/Digest.h"
#include "util/Error.h"
#include "util/Metrics.h"

namespace strata {

using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

void requireValidName(const std::string& name) {
  if (!isValidRepositoryName(name))
    throw Error(ErrorKind::InvalidName,
                "invalid repository name: components must be lowercase letters and digits "
                "separated by '.', '_', '__' or '-'");
}

/// The Link header of a paginated list whose page ended at `last`.
void setNextLink(HTTPServerResponse& response, const std::string& base, std::size_t n,
                 const std::string& last) {
  std::string encoded;
  Poco::URI::encode(last, "&=?#+/ ", encoded);
  response.set("Link",
               "<" + base + "?n=" + std::to_string(n) + "&last=" + encoded + ">; rel=\"next\"");
}

/// Sends `length` bytes of `fd` from `offset` as the response body, straight
/// on the socket when the request is Poco's own implementation (always, in
/// the server): with sendfile(2) when `zeroCopy`, else through one 64 KiB
/// buffer, which measured faster on loopback (docs/performance.md). Returns
/// the bytes sent; stops early when the client goes away.
std::uint64_t sendFileRange(HTTPServerRequest& request, std::ostream& out, int fd,
                            std::uint64_t offset, std::uint64_t length, bool zeroCopy) {
  constexpr std::size_t kBuffer = 64 << 10;
  thread_local std::vector<char> buf(kBuffer);
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  std::uint64_t sent = 0;
  if (impl == nullptr) {
    while (sent < length && out) {
      ssize_t n = ::pread(fd, buf.data(), std::min<std::uint64_t>(length - sent, kBuffer),
                          static_cast<off_t>(offset + sent));
      if (n <= 0) break;
      out.write(buf.data(), n);
      sent += static_cast<std::uint64_t>(n);
    }
    return sent;
  }
  out.flush();  // the status line and headers are still in the stream's buffer
  int sock = impl->socket().impl()->sockfd();
  // Without TCP_NODELAY the last partial segment of a body can wait for a
  // delayed ACK before it leaves.
  int one = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  off_t off = static_cast<off_t>(offset);
  while (sent < length) {
    ssize_t n;
    if (zeroCopy) {
      n = ::sendfile(sock, fd, &off, std::min<std::uint64_t>(length - sent, 1 << 30));
    } else {
      n = ::pread(fd, buf.data(), std::min<std::uint64_t>(length - sent, kBuffer), off);
      ssize_t written = 0;
      while (n > 0 && written < n) {
        ssize_t w =
            ::send(sock, buf.data() + written, static_cast<std::size_t>(n - written), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        written += w;
      }
      if (n > 0 && written < n) n = written > 0 ? written : -1;
      if (n > 0) off += n;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // client gone or send timeout
    sent += static_cast<std::uint64_t>(n);
  }
  // A short body would leave the connection out of step: end it.
  if (sent < length) ::shutdown(sock, SHUT_RDWR);
  return sent;
}

}  // namespace

Page parsePage(const std::map<std::string, std::string>& query) {
  Page page;
  if (auto it = query.find("n"); it != query.end()) {
    const std::string& text = it->second;
    if (text.empty() || text.size() > 9 ||
        text.find_first_not_of("0123456789") != std::string::npos)
      throw Error(ErrorKind::InvalidPagination, "n must be a non-negative integer");
    page.n = std::min<std::size_t>(std::stoul(text), 1000);
    page.limited = true;
  }
  if (auto it = query.find("last"); it != query.end()) page.last = it->second;
  return page;
}

std::optional<ByteRange> parseRange(const std::string& header, std::uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.compare(0, kUnit.size(), kUnit) != 0)
    throw Error(ErrorKind::InvalidRange, "only byte ranges are supported");
  std::string spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string::npos) return std::nullopt;  // several ranges: send it all
  auto dash = spec.find('-');
  if (dash == std::string::npos) throw Error(ErrorKind::InvalidRange, "malformed Range header");
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  Poco::UInt64 first = 0, last = 0;
  ByteRange r;
  if (a.empty()) {  // suffix: the last b bytes
    if (!Poco::NumberParser::tryParseUnsigned64(b, last) || last == 0)
      throw Error(ErrorKind::InvalidRange, "malformed Range header");
    if (size == 0) throw Error(ErrorKind::InvalidRange, "range not satisfiable");
    r.first = last >= size ? 0 : size - last;
    r.last = size - 1;
    return r;
  }
  if (!Poco::NumberParser::tryParseUnsigned64(a, first))
    throw Error(ErrorKind::InvalidRange, "malformed Range header");
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!Poco::NumberParser::tryParseUnsigned64(b, last) || last < first) {
    throw Error(ErrorKind::InvalidRange, "malformed Range header");
  }
  if (first >= size) throw Error(ErrorKind::InvalidRange, "range not satisfiable");
  r.first = first;
  r.last = std::min<std::uint64_t>(last, size - 1);
  return r;
}

void BaseHandler::handle(HTTPServerRequest& request, HTTPServerResponse& response) {
  sendJson(request, response, "{}");
}

void CatalogHandler::handle(HTTPServerRequest& request, HTTPServerResponse& response) {
  Page page = parsePage(parseTarget(request.getURI()).query);
  // With auth on, only the names the caller may pull (docs/auth.md).
  auto names = subject() ? pullableNames(ctx_, *subject(), page.last, page.n + 1)
                         : ctx_.images.names(page.last, page.n + 1);
  bool more = names.size() > page.n;
  if (more) names.resize(page.n);
  Poco::JSON::Object body;
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& n : names) list->add(n);
  body.set("repositories", list);
  // n=0: an empty page, and no last element to continue from.
  if (more && page.limited && !names.empty())
    setNextLink(response, "/v2/_catalog", page.n, names.back());
  sendJson(request, response, body);
}

void TagsHandler::handle(HTTPServerRequest& request, HTTPServerResponse& response) {
  requireValidName(name_);
  Page page = parsePage(parseTarget(request.getURI()).query);
  auto tags = ctx_.images.tags(name_, page.last, page.n + 1);
  bool more = tags.size() > page.n;
  if (more) tags.resize(page.n);
  if (tags.empty() && page.last.empty() && ctx_.images.tags(name_, "", 1).empty())
    throw Error(ErrorKind::UnknownName, "no tag of '" + name_ + "' was pulled yet");
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("name", name_);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  for (const auto& t : tags) list->add(t);
  body.set("tags", list);
  if (more && page.limited && !tags.empty())
    setNextLink(response, "/v2/" + name_ + "/tags/list", page.n, tags.back());
  sendJson(request, response, body);
}

void ManifestHandler::handle(HTTPServerRequest& request, HTTPServerResponse& response) {
  requireValidName(name_);
  ImageRecord image;
  ManifestFormat format;
  if (reference_.rfind("sha256:", 0) == 0 || reference_.find(':') != std::string::npos) {
    auto digest = Digest::parse(reference_);
    if (!digest) throw Error(ErrorKind::InvalidDigest, "invalid digest '" + reference_ + "'");
    auto found = ctx_.images.findByManifestDigest(name_, digest->str());
    if (!found)
      throw Error(ErrorKind::UnknownManifest,
                  "manifest " + digest->str() + " is unknown under '" + name_ + "'");
    // A pull by digest meets the same policies as one by tag.
    ImageCheck check = imagePolicyCheck(ctx_, subject(), request, name_);
    if (check) check(BuildService::imageInfo(*found, nullptr));
    image = ctx_.builds.rebuildIfIncomplete(*found);
    if (check) {
      auto closure = ctx_.builds.closureOf(image);
      check(BuildService::imageInfo(image, closure.get()));
    }
    format = image.ociDigest == digest->str() ? ManifestFormat::Oci : ManifestFormat::Docker;
  } else {
    if (!isValidTag(reference_))
      throw Error(ErrorKind::InvalidTag,
                  "invalid tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' "
                  "or '-'");
    ImageRequest req = parseImageName(name_, ctx_.config.sources);
    image =
        ctx_.builds.imageFor(req, reference_, imagePolicyCheck(ctx_, subject(), request, name_));
    // A client may send several Accept headers (Docker and others send one per
    // type); together they mean the same as one comma-separated list.
    std::string accept;
    for (auto it = request.find("Accept");
         it != request.end() && Poco::icompare(it->first, "Accept") == 0; ++it)
      accept += (accept.empty() ? "" : ",") + it->second;
    format = negotiateManifest(accept);
  }
  // An image with zstd layers has an OCI manifest only (its Docker digest
  // names the same manifest): every client gets that.
  if (image.dockerDigest == image.ociDigest) format = ManifestFormat::Oci;
  const std::string& digest = format == ManifestFormat::Oci ? image.ociDigest : image.dockerDigest;
  std::string body = ctx_.blobs.read(*Digest::parse(digest));
  if (request.getMethod() == HTTPRequest::HTTP_GET)
    ctx_.metrics.add("strata_bytes_served_total{kind=\"manifest\"}", body.size());
  response.set("Docker-Content-Digest", digest);
  response.set("ETag", "\"" + digest + "\"");
  sendBody(request, response, manifestMediaType(format), body);
}

void BlobHandler::handle(HTTPServerRequest& request, HTTPServerResponse& response) {
  requireValidName(name_);
  auto digest = Digest::parse(digest_);
  if (!digest) throw Error(ErrorKind::InvalidDigest, "invalid digest '" + digest_ + "'");
  auto info = ctx_.blobs.stat(*digest);
  if (!info || !ctx_.images.blobVisible(name_, digest->str()))
    throw Error(ErrorKind::UnknownBlob,
                "blob " + digest->str() + " is unknown under '" + name_ + "'");

  std::uint64_t first = 0, length = info->size;
  if (request.has("Range")) {
    std::optional<ByteRange> range;
    try {
      range = parseRange(request.get("Range"), info->size);
    } catch (const Error&) {
      response.set("Content-Range", "bytes */" + std::to_string(info->size));  // RFC 9110 15.5.17
      throw;
    }
    if (range) {
      first = range->first;
      length = range->last - range->first + 1;
      response.setStatusAndReason(HTTPResponse::HTTP_PARTIAL_CONTENT);
      response.set("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                        std::to_string(range->last) + "/" +
                                        std::to_string(info->size));
    }
  }
  response.set("Docker-Content-Digest", digest->str());
  response.set("ETag", "\"" + digest->str() + "\"");
  response.set("Accept-Ranges", "bytes");
  response.set("Cache-Control", "max-age=31536000, immutable");
  response.setContentType("application/octet-stream");
  response.setContentLength64(length);
  if (request.getMethod() == HTTPRequest::HTTP_HEAD) {
    response.send();
    return;
  }
  int fd = ::open(info->path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorKind::UnknownBlob, "blob " + digest->str() + " vanished");
  std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* f) { ::close(*f); });
  auto& out = response.send();
  std::uint64_t sent = sendFileRange(request, out, fd, first, length, ctx_.config.storageSendfile);
  ctx_.metrics.add("strata_bytes_served_total{kind=\"blob\"}", sent);
}

}  // namespace strata
