#include "http/ByteRange.h"

#include <Poco/NumberParser.h>

#include <string_view>

#include "util/Error.h"

namespace strata {

std::optional<ByteRange> parseRange(const std::string& header, std::uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.compare(0, kUnit.size(), kUnit) != 0)
    throw Error(ErrorKind::InvalidRange, "only byte ranges are supported");
  std::string spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string::npos) return std::nullopt;  // several ranges: send it all
  auto dash = spec.find('-');
  if (dash == std::string::npos) throw Error(ErrorKind::InvalidRange, "malformed Range header");
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  Poco::UInt64 first = 0, last = 0;
  ByteRange r;
  if (a.empty()) {  // suffix: the last b bytes
    if (!Poco::NumberParser::tryParseUnsigned64(b, last) || last == 0)
      throw Error(ErrorKind::InvalidRange, "malformed Range header");
    if (size == 0) throw Error(ErrorKind::InvalidRange, "range not satisfiable");
    r.first = last >= size ? 0 : size - last;
    r.last = size - 1;
    return r;
  }
  if (!Poco::NumberParser::tryParseUnsigned64(a, first))
    throw Error(ErrorKind::InvalidRange, "malformed Range header");
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!Poco::NumberParser::tryParseUnsigned64(b, last) || last < first) {
    throw Error(ErrorKind::InvalidRange, "malformed Range header");
  }
  if (first >= size) throw Error(ErrorKind::InvalidRange, "range not satisfiable");
  r.first = first;
  r.last = std::min<std::uint64_t>(last, size - 1);
  return r;
}

}  // namespace strata
