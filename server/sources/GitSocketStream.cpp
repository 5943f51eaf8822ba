#include "sources/GitSocketStream.h"

#include <fcntl.h>
#include <git2.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace strata {
namespace {

std::atomic<int> connectMillis{GitNetworkTimeouts{}.connectMillis};
std::atomic<int> ioMillis{GitNetworkTimeouts{}.ioMillis};

/// The layout of libgit2's own `git_socket_stream` (src/libgit2/streams/socket.h,
/// unchanged from 0.28 to 1.9): libgit2's ssh transport takes the socket out of
/// any plain stream it gets by this layout and hands it to libssh2.
struct SocketStream {
  git_stream parent;
  char* host;
  char* port;
  int s;
};

void setNetError(const std::string& what) {
  git_error_set_str(GIT_ERROR_NET, what.c_str());
}

/// Waits until `fd` is ready for `events`; false (error set) on timeout or failure.
bool waitFor(int fd, short events, int millis, const char* what) {
  pollfd p{fd, events, 0};
  int rc;
  do rc = ::poll(&p, 1, millis);
  while (rc < 0 && errno == EINTR);
  if (rc == 0) {
    setNetError(std::string(what) + ": timed out after " + std::to_string(millis / 1000.0) + " s");
    return false;
  }
  if (rc < 0) {
    setNetError(std::string(what) + ": " + std::strerror(errno));
    return false;
  }
  return true;
}

int connectOne(const addrinfo* ai, int millis, std::string& error) {
  int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
  if (fd < 0) {
    error = std::strerror(errno);
    return -1;
  }
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
  }
  if (errno != EINPROGRESS) {
    error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int rc;
  do rc = ::poll(&p, 1, millis);
  while (rc < 0 && errno == EINTR);
  int soError = 0;
  socklen_t len = sizeof soError;
  if (rc == 0) {
    error = "timed out after " + std::to_string(millis / 1000.0) + " s";
  } else if (rc < 0) {
    error = std::strerror(errno);
  } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) != 0 || soError != 0) {
    error = std::strerror(soError != 0 ? soError : errno);
  } else {
    // Blocking again, as libgit2's own stream leaves it: the ssh transport
    // hands the descriptor to libssh2. Reads and writes below never block
    // (MSG_DONTWAIT) and wait with poll() instead.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
  }
  ::close(fd);
  return -1;
}

int streamConnect(git_stream* stream) {
  auto* st = reinterpret_cast<SocketStream*>(stream);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  addrinfo* info = nullptr;
  if (int rc = ::getaddrinfo(st->host, st->port, &hints, &info); rc != 0) {
    setNetError(std::string("failed to resolve address for ") + st->host + ": " +
                ::gai_strerror(rc));
    return -1;
  }
  std::string error = "no address";
  int millis = connectMillis.load();
  for (const addrinfo* ai = info; ai != nullptr && st->s < 0; ai = ai->ai_next)
    st->s = connectOne(ai, millis, error);
  ::freeaddrinfo(info);
  if (st->s < 0) {
    setNetError(std::string("failed to connect to ") + st->host + " port " + st->port + ": " +
                error);
    return -1;
  }
  return 0;
}

ssize_t streamRead(git_stream* stream, void* data, size_t len) {
  auto* st = reinterpret_cast<SocketStream*>(stream);
  while (true) {
    ssize_t n = ::recv(st->s, data, len, MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      setNetError(std::string("error receiving data from socket: ") + std::strerror(errno));
      return -1;
    }
    if (!waitFor(st->s, POLLIN, ioMillis.load(), "could not read from socket")) return -1;
  }
}

ssize_t streamWrite(git_stream* stream, const char* data, size_t len, int /*flags*/) {
  auto* st = reinterpret_cast<SocketStream*>(stream);
  while (true) {
    ssize_t n = ::send(st->s, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      setNetError(std::string("error sending data to socket: ") + std::strerror(errno));
      return -1;
    }
    if (!waitFor(st->s, POLLOUT, ioMillis.load(), "could not write to socket")) return -1;
  }
}

int streamClose(git_stream* stream) {
  auto* st = reinterpret_cast<SocketStream*>(stream);
  int rc = st->s >= 0 ? ::close(st->s) : 0;
  st->s = -1;
  return rc;
}

void streamFree(git_stream* stream) {
  auto* st = reinterpret_cast<SocketStream*>(stream);
  if (st->s >= 0) ::close(st->s);
  std::free(st->host);
  std::free(st->port);
  delete st;
}

int streamInit(git_stream** out, const char* host, const char* port) {
  auto* st = new SocketStream{};
  st->parent.version = GIT_STREAM_VERSION;
  st->parent.connect = streamConnect;
  st->parent.read = streamRead;
  st->parent.write = streamWrite;
  st->parent.close = streamClose;
  st->parent.free = streamFree;
  st->host = ::strdup(host);
  st->port = ::strdup(port ? port : "");
  st->s = -1;
  *out = &st->parent;
  return 0;
}

}  // namespace

void installGitSocketStream() {
  git_stream_registration registration{};
  registration.version = GIT_STREAM_VERSION;
  registration.init = streamInit;
  git_stream_register(GIT_STREAM_STANDARD, &registration);
}

void setGitNetworkTimeouts(GitNetworkTimeouts timeouts) {
  connectMillis = timeouts.connectMillis;
  ioMillis = timeouts.ioMillis;
}

GitNetworkTimeouts gitNetworkTimeouts() {
  return GitNetworkTimeouts{connectMillis.load(), ioMillis.load()};
}

}  // namespace strata
