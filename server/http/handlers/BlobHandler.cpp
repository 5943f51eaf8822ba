#include "http/ByteRange.h"
#include "http/Exchange.h"
#include "http/ResponseBodySink.h"
#include "http/handlers/Handlers.h"
#include "pull/PullService.h"
#include "util/Error.h"
#include "util/Metrics.h"

namespace strata {
namespace {

/// The part of a blob of `size` bytes the request asks for; a partial one
/// sets 206 and Content-Range. An unsatisfiable range is 416 with the size.
ByteRange requestedRange(Exchange& x, std::uint64_t size) {
  ByteRange whole{0, size == 0 ? 0 : size - 1};
  if (!x.request.has("Range")) return whole;
  std::optional<ByteRange> range;
  try {
    range = parseRange(x.request.get("Range"), size);
  } catch (const Error&) {
    x.response.set("Content-Range", "bytes */" + std::to_string(size));  // RFC 9110 15.5.17
    throw;
  }
  if (!range) return whole;
  x.response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_PARTIAL_CONTENT);
  x.response.set("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                      std::to_string(range->last) + "/" + std::to_string(size));
  return *range;
}

}  // namespace

void handleBlob(Exchange& x) {
  BlobAnswer blob =
      x.ctx.pull.blob(BlobQuery{x.caller, x.param("name"), x.param("digest"), !x.head()});
  if (blob.redirect) {
    x.response.set("Docker-Content-Digest", blob.digest);
    x.response.redirect(*blob.redirect, Poco::Net::HTTPResponse::HTTP_TEMPORARY_REDIRECT);
    return;
  }
  ByteRange range = requestedRange(x, blob.size);
  std::uint64_t length = blob.size == 0 ? 0 : range.last - range.first + 1;
  x.response.set("Docker-Content-Digest", blob.digest);
  x.response.set("ETag", "\"" + blob.digest + "\"");
  x.response.set("Accept-Ranges", "bytes");
  x.response.set("Cache-Control", "max-age=31536000, immutable");
  x.response.setContentType("application/octet-stream");
  x.response.setContentLength64(length);
  if (x.head()) {
    x.response.send();
    return;
  }
  ResponseBodySink sink(x.request, x.response.send());
  std::uint64_t sent = blob.reader->sendTo(sink, range.first, length);
  sink.endIfShort(sent, length);
  x.ctx.metrics.add("strata_bytes_served_total{kind=\"blob\"}", sent);
}

}  // namespace strata
