#include "http/ByteRange.h"

#include <limits>
#include <string_view>

#include "util/Error.h"

namespace strata {
namespace {

/// A decimal number of digits only: no sign, space or anything after it.
/// Poco's parser accepts a leading space or '+', stops at a NUL byte and
/// wraps some numbers past 64 bits around, which would serve the wrong bytes.
bool parseOffset(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 20) return false;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  value = v;
  return true;
}

}  // namespace

std::optional<ByteRange> parseRange(const std::string& header, std::uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.compare(0, kUnit.size(), kUnit) != 0)
    throw Error(ErrorKind::InvalidRange, "only byte ranges are supported");
  std::string spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string::npos) return std::nullopt;  // several ranges: send it all
  auto dash = spec.find('-');
  if (dash == std::string::npos) throw Error(ErrorKind::InvalidRange, "malformed Range header");
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  std::uint64_t first = 0, last = 0;
  ByteRange r;
  if (a.empty()) {  // suffix: the last b bytes
    if (!parseOffset(b, last) || last == 0)
      throw Error(ErrorKind::InvalidRange, "malformed Range header");
    if (size == 0) throw Error(ErrorKind::InvalidRange, "range not satisfiable");
    r.first = last >= size ? 0 : size - last;
    r.last = size - 1;
    return r;
  }
  if (!parseOffset(a, first)) throw Error(ErrorKind::InvalidRange, "malformed Range header");
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!parseOffset(b, last) || last < first) {
    throw Error(ErrorKind::InvalidRange, "malformed Range header");
  }
  if (first >= size) throw Error(ErrorKind::InvalidRange, "range not satisfiable");
  r.first = first;
  r.last = std::min<std::uint64_t>(last, size - 1);
  return r;
}

}  // namespace strata
