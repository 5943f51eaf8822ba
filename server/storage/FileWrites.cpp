#include "storage/FileWrites.h"

#include <Poco/Logger.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "util/Error.h"

namespace strata {

void writeAll(int fd, const char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throwFileError("cannot write", path);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void throwFileError(const std::string& what, const std::string& path) {
  int error = errno;
  std::string reason = what + " '" + path + "': " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) {
    Poco::Logger::get("strata.storage").error("%s", reason);
    throw Error(ErrorKind::StorageFull,
                "the registry's storage is full: no space left to store the image",
                "an administrator must free space or grow the blob store's volume; pulls "
                "work again as soon as there is room");
  }
  throw std::runtime_error(reason);
}

}  // namespace strata
