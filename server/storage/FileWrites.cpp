#include "storage/FileWrites.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace strata {

void writeAll(int fd, const char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace strata
