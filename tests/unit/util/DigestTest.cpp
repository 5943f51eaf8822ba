#include "util/Digest.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace strata {
namespace {

const std::string kHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(Digest, ParsesSha256) {
  auto d = Digest::parse("sha256:" + kHex);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->hex(), kHex);
  EXPECT_EQ(d->str(), "sha256:" + kHex);
}

TEST(Digest, RejectsEverythingElse) {
  std::string upper = kHex;
  upper[10] = 'A';
  for (const std::string& bad : std::vector<std::string>{
           std::string(""),
           std::string("sha256:"),
           kHex,
           "sha256:" + upper,
           "SHA256:" + kHex,
           "sha512:" + kHex + kHex,
           "sha256:" + kHex.substr(1),
           "sha256:" + kHex + "0",
           "sha256:../../etc/passwd",
           "sha256:" + kHex.substr(0, 60) + "/../",
           "sha256:" + kHex.substr(0, 63) + "g",
           " sha256:" + kHex,
           "sha256:" + kHex + "\n",
           "sha256: " + kHex.substr(1),
           "sha256:" + kHex.substr(0, 32) + std::string(1, '\0') + kHex.substr(33),
           "sha256+b64:" + kHex,
       }) {
    EXPECT_FALSE(Digest::parse(bad).has_value()) << bad;
  }
}

TEST(Digest, FromHexValidates) {
  EXPECT_EQ(Digest::fromHex(kHex).hex(), kHex);
  EXPECT_THROW(Digest::fromHex("abc"), std::invalid_argument);
  EXPECT_THROW(Digest::fromHex("sha256:" + kHex), std::invalid_argument);
  EXPECT_THROW(Digest::fromHex(std::string(64, 'G')), std::invalid_argument);
  EXPECT_THROW(Digest::fromHex(std::string(64, 'A')), std::invalid_argument);
}

TEST(Digest, OfBytes) {
  EXPECT_EQ(Digest::ofBytes("").str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Digest::ofBytes("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, ComparesByValue) {
  auto a = Digest::fromHex(std::string(64, 'a'));
  auto b = Digest::fromHex(std::string(64, 'b'));
  EXPECT_EQ(a, Digest::fromHex(std::string(64, 'a')));
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
  std::set<Digest> s{b, a, a};
  EXPECT_EQ(s.size(), 2u);
}

TEST(IsSha256Hex, Grammar) {
  EXPECT_TRUE(isSha256Hex(kHex));
  EXPECT_TRUE(isSha256Hex(std::string(64, '0')));
  EXPECT_FALSE(isSha256Hex(""));
  EXPECT_FALSE(isSha256Hex(std::string(63, '0')));
  EXPECT_FALSE(isSha256Hex(std::string(65, '0')));
  EXPECT_FALSE(isSha256Hex(std::string(64, 'F')));
  EXPECT_FALSE(isSha256Hex(std::string(63, '0') + "."));
}

}  // namespace
}  // namespace strata
