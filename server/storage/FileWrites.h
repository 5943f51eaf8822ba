#pragma once

#include <cstddef>
#include <string>

namespace strata {

/// Writes all of `data` to `fd`, retrying short and interrupted writes.
/// Throws std::runtime_error naming `path` on failure.
void writeAll(int fd, const char* data, std::size_t size, const std::string& path);

}  // namespace strata
