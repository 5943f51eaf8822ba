#pragma once

#include <cstddef>
#include <string>

namespace strata {

/// Writes all of `data` to `fd`, retrying short and interrupted writes.
/// Throws fileError() on failure.
void writeAll(int fd, const char* data, std::size_t size, const std::string& path);

/// Throws for the failed file operation `what` on `path`, from errno: a
/// full disk or quota is Error(StorageFull), which clients see as 507 and
/// which the server logs with the path; anything else a std::runtime_error
/// naming the path (for the log only).
[[noreturn]] void throwFileError(const std::string& what, const std::string& path);

}  // namespace strata
