// The Range header of blob GETs (http/ByteRange). The input is the header
// value, optionally preceded by "<blob size>\n"; it is tried against that
// size and a few fixed ones. A well-formed single range (RFC 9110: digits
// only) must give exactly the bytes it names; anything else a 416 or, for
// several ranges, the whole blob.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "FuzzCheck.h"
#include "http/ByteRange.h"
#include "util/Error.h"

namespace strata {
namespace {

using fuzz::check;

/// Decimal digits that fit 64 bits; nullopt for anything else.
std::optional<std::uint64_t> digits(const std::string& s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

bool allDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

/// What RFC 9110 says a single "bytes=a-b" / "bytes=-n" asks of `size`
/// bytes: a range, or nullopt when it cannot be satisfied. Only called for
/// specs of digits and one '-'.
std::optional<ByteRange> expected(const std::string& a, const std::string& b, std::uint64_t size) {
  if (a.empty()) {
    std::uint64_t n = *digits(b);
    if (n == 0 || size == 0) return std::nullopt;
    return ByteRange{n >= size ? 0 : size - n, size - 1};
  }
  std::uint64_t first = *digits(a);
  if (first >= size) return std::nullopt;
  std::uint64_t last = b.empty() ? size - 1 : *digits(b);
  if (last < first) return std::nullopt;
  return ByteRange{first, std::min(last, size - 1)};
}

void checkOne(const std::string& header, std::uint64_t size) {
  std::optional<ByteRange> got;
  bool refused = false;
  try {
    got = parseRange(header, size);
  } catch (const Error& e) {
    check(e.kind() == ErrorKind::InvalidRange, "a bad Range is InvalidRange", header);
    refused = true;
  }
  const std::string unit = "bytes=";
  bool bytes = header.compare(0, unit.size(), unit) == 0;
  std::string spec = bytes ? header.substr(unit.size()) : "";
  if (!refused && !got) {
    check(bytes && spec.find(',') != std::string::npos,
          "only several byte ranges give the whole blob", header);
    return;
  }
  if (got)
    check(bytes && got->first <= got->last && got->last < size,
          "a range lies inside the blob, first <= last", header);

  // Well-formed single ranges of numbers that fit: the exact answer.
  auto dash = spec.find('-');
  if (!bytes || dash == std::string::npos || spec.find('-', dash + 1) != std::string::npos) return;
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  bool wellFormed =
      (a.empty() || allDigits(a)) && (b.empty() || allDigits(b)) && !(a.empty() && b.empty());
  if (!wellFormed) return;
  // Numbers beyond 64 bits are refused, never wrapped around (Poco 1.11's
  // parser made "bytes=18446744073709551619-" bytes 3-).
  if ((!a.empty() && !digits(a)) || (!b.empty() && !digits(b))) {
    check(refused, "a number beyond 64 bits is refused, never wrapped around", header);
    return;
  }
  auto want = expected(a, b, size);
  check(want.has_value() == got.has_value(), "satisfiable exactly when RFC 9110 says so", header);
  if (want)
    check(want->first == got->first && want->last == got->last, "the range RFC 9110 names", header);
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata;
  std::string input(fuzz::asText(data, size));
  std::vector<std::uint64_t> sizes = {0,   1,       2,
                                      511, 1 << 20, std::numeric_limits<std::uint64_t>::max()};
  auto newline = input.find('\n');
  if (newline != std::string::npos) {
    if (auto n = digits(input.substr(0, newline))) {
      sizes.push_back(*n);
      input.erase(0, newline + 1);
    }
  }
  for (auto s : sizes) checkOne(input, s);
  return 0;
}
