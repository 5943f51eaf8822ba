#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace strata {

/// A byte range of a blob, both ends inclusive.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

/// The range a Range header value asks of a blob of `size` bytes; nullopt for
/// a header we ignore (several ranges: the whole blob is sent). Throws
/// Error(InvalidRange) when it is malformed or cannot be satisfied.
std::optional<ByteRange> parseRange(const std::string& header, std::uint64_t size);

}  // namespace strata
