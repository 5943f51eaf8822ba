#include "util/Sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "util/ByteSink.h"

namespace strata {
namespace {

// FIPS 180-2 test vectors.
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string kTwoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
const std::string kMillionA = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256::hex(""), kEmpty);
  EXPECT_EQ(Sha256::hex("abc"), kAbc);
  EXPECT_EQ(Sha256::hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), kTwoBlocks);
  EXPECT_EQ(Sha256::hex(std::string(1000000, 'a')), kMillionA);
}

TEST(Sha256, IncrementalEqualsOneShot) {
  Sha256 h;
  std::string a(1000000, 'a');
  for (std::size_t i = 0; i < a.size(); i += 777)
    h.update(a.data() + i, std::min<std::size_t>(777, a.size() - i));
  EXPECT_EQ(h.hexDigest(), kMillionA);
}

TEST(Sha256, EmptyUpdatesChangeNothing) {
  Sha256 h;
  h.update(nullptr, 0);
  h.update("");
  h.update("a");
  h.update("");
  h.update("bc");
  EXPECT_EQ(h.hexDigest(), kAbc);
}

TEST(Sha256, BinaryData) {
  std::string zero(1, '\0');
  EXPECT_EQ(Sha256::hex(zero), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(HashingSink, ForwardsHashesAndCounts) {
  StringSink out;
  HashingSink h(out);
  h.write("a", 1);
  h.write("bc", 2);
  h.finish();
  EXPECT_EQ(out.data(), "abc");
  EXPECT_EQ(h.hex(), kAbc);
  EXPECT_EQ(h.bytes(), 3u);
}

TEST(HashingSink, EmptyStream) {
  StringSink out;
  HashingSink h(out);
  h.finish();
  EXPECT_EQ(h.hex(), kEmpty);
  EXPECT_EQ(h.bytes(), 0u);
}

}  // namespace
}  // namespace strata
