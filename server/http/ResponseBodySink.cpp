#include "http/ResponseBodySink.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

namespace strata {

ResponseBodySink::ResponseBodySink(Poco::Net::HTTPServerRequest& request, std::ostream& body)
    : body_(body) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (impl == nullptr) return;
  body_.flush();  // the status line and headers are still in the stream's buffer
  socket_ = impl->socket().impl()->sockfd();
  // Without TCP_NODELAY the last partial segment of a body can wait for a
  // delayed ACK before it leaves.
  int one = 1;
  ::setsockopt(socket_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool ResponseBodySink::write(const char* data, std::size_t size) {
  if (socket_ < 0) {
    body_.write(data, static_cast<std::streamsize>(size));
    return static_cast<bool>(body_);
  }
  std::size_t written = 0;
  while (written < size) {
    ssize_t w = ::send(socket_, data + written, size - written, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;  // client gone or send timeout
    written += static_cast<std::size_t>(w);
  }
  return true;
}

void ResponseBodySink::endIfShort(std::uint64_t sent, std::uint64_t expected) {
  if (sent < expected && socket_ >= 0) ::shutdown(socket_, SHUT_RDWR);
}

}  // namespace strata
