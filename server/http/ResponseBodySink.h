#pragma once

#include <Poco/Net/HTTPServerRequest.h>

#include <cstdint>
#include <ostream>

#include "storage/BlobStore.h"

namespace strata {

/// The body of a response, after its headers were sent, as a BlobSink: bytes
/// go straight to the connection's socket when the request is Poco's own (in
/// the server, always), else through the response stream. Only the socket
/// offers a descriptor for sendfile(2).
class ResponseBodySink : public BlobSink {
 public:
  /// `body` is what response.send() returned; its buffered headers are
  /// flushed here.
  ResponseBodySink(Poco::Net::HTTPServerRequest& request, std::ostream& body);

  bool write(const char* data, std::size_t size) override;
  int descriptor() override { return socket_; }

  /// A body shorter than its Content-Length would leave the connection out
  /// of step: ends the connection when `sent` < `expected`.
  void endIfShort(std::uint64_t sent, std::uint64_t expected);

 private:
  std::ostream& body_;
  int socket_ = -1;
};

}  // namespace strata
