#include <gtest/gtest.h>

#include <map>
#include <string>

#include "http/ByteRange.h"
#include "http/Paging.h"
#include "util/Error.h"

namespace strata {
namespace {

void expectError(const std::function<void()>& f, ErrorKind kind) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
  }
}

// ---------------------------------------------------------------------------
// parsePage

TEST(ParsePage, Defaults) {
  Page p = parsePage({});
  EXPECT_EQ(p.n, 1000u);
  EXPECT_FALSE(p.limited);
  EXPECT_EQ(p.last, "");
}

TEST(ParsePage, NAndLast) {
  Page p = parsePage({{"n", "10"}, {"last", "demo/hello"}});
  EXPECT_EQ(p.n, 10u);
  EXPECT_TRUE(p.limited);
  EXPECT_EQ(p.last, "demo/hello");
}

TEST(ParsePage, NIsCappedAt1000) {
  Page p = parsePage({{"n", "5000"}});
  EXPECT_EQ(p.n, 1000u);
  EXPECT_TRUE(p.limited);
  EXPECT_EQ(parsePage({{"n", "1000"}}).n, 1000u);
}

TEST(ParsePage, ZeroIsAllowed) {
  Page p = parsePage({{"n", "0"}});
  EXPECT_EQ(p.n, 0u);
  EXPECT_TRUE(p.limited);
}

TEST(ParsePage, BadNIsInvalidPagination) {
  for (std::string bad : {"", "-1", "abc", "1.5", "10x", "99999999999999999999"}) {
    SCOPED_TRACE(bad);
    expectError([&] { parsePage({{"n", bad}}); }, ErrorKind::InvalidPagination);
  }
}

TEST(ParsePage, LastAlone) {
  Page p = parsePage({{"last", "b"}});
  EXPECT_EQ(p.n, 1000u);
  EXPECT_FALSE(p.limited);
  EXPECT_EQ(p.last, "b");
}

// ---------------------------------------------------------------------------
// parseRange

void expectRange(const std::string& header, std::uint64_t size, std::uint64_t first,
                 std::uint64_t last) {
  SCOPED_TRACE(header + " of " + std::to_string(size));
  auto r = parseRange(header, size);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->first, first);
  EXPECT_EQ(r->last, last);
}

void expectInvalid(const std::string& header, std::uint64_t size) {
  SCOPED_TRACE(header + " of " + std::to_string(size));
  expectError([&] { parseRange(header, size); }, ErrorKind::InvalidRange);
}

TEST(ParseRange, FirstToLast) {
  expectRange("bytes=0-9", 100, 0, 9);
  expectRange("bytes=10-19", 100, 10, 19);
  expectRange("bytes=0-0", 100, 0, 0);
  expectRange("bytes=99-99", 100, 99, 99);
}

TEST(ParseRange, OpenEnded) {
  expectRange("bytes=10-", 100, 10, 99);
  expectRange("bytes=0-", 100, 0, 99);
  expectRange("bytes=99-", 100, 99, 99);
}

TEST(ParseRange, Suffix) {
  expectRange("bytes=-10", 100, 90, 99);
  expectRange("bytes=-1", 100, 99, 99);
  expectRange("bytes=-100", 100, 0, 99);
  expectRange("bytes=-1000", 100, 0, 99);  // more than there is: all of it
}

TEST(ParseRange, LastBeyondTheEndIsClamped) {
  expectRange("bytes=50-1000", 100, 50, 99);
  expectRange("bytes=0-18446744073709551615", 100, 0, 99);
}

TEST(ParseRange, FirstBeyondTheEndIsUnsatisfiable) {
  expectInvalid("bytes=100-", 100);
  expectInvalid("bytes=100-200", 100);
  expectInvalid("bytes=0-", 0);
  expectInvalid("bytes=-5", 0);
}

TEST(ParseRange, NumbersBeyond64BitsAreRefusedNeverWrapped) {
  // Found by tests/fuzz/fuzz_range: Poco's parser wrapped this one to 3.
  expectInvalid("bytes=18446744073709551619-", 1000);
  expectInvalid("bytes=45-18446744073709551618446744073709551615", 1000);
  expectInvalid("bytes=-18446744073709551616", 1000);
  expectRange("bytes=0-18446744073709551615", 1000, 0, 999);  // the largest is a number
}

TEST(ParseRange, OnlyDigitsAreNumbers) {
  for (const char* h : {"bytes= 5-9", "bytes=+5-9", "bytes=5-+9", "bytes=5- 9", "bytes=0x5-9"})
    expectInvalid(h, 1000);
  expectInvalid(std::string("bytes=5-9\0junk", 15), 1000);
}

TEST(ParseRange, SeveralRangesAreIgnored) {
  EXPECT_FALSE(parseRange("bytes=0-1,5-6", 100).has_value());
  EXPECT_FALSE(parseRange("bytes=0-1, -5", 100).has_value());
}

TEST(ParseRange, MalformedHeaders) {
  for (std::string bad :
       {"", "bytes", "bytes=", "bytes=-", "bytes=abc", "bytes=a-b", "bytes=5-2", "bytes=-0",
        "items=0-1", "Bytes=0-1", "0-1", "bytes=1-x", "bytes=--5", "bytes=5"}) {
    expectInvalid(bad, 100);
  }
}

}  // namespace
}  // namespace strata
