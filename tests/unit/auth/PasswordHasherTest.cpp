#include "auth/PasswordHasher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "auth/Secrets.h"

namespace strata {
namespace {

PasswordHasher cheap() {
  return PasswordHasher(PasswordHasher::Params{1024, 8, 1});
}

std::vector<std::string> fields(const std::string& encoded) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto pos = encoded.find('$', start);
    out.push_back(encoded.substr(start, pos == std::string::npos ? pos : pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

TEST(PasswordHasherTest, DefaultCostAndFormat) {
  PasswordHasher h;
  EXPECT_GE(h.params().n, 1u << 15);
  auto start = std::chrono::steady_clock::now();
  std::string encoded = h.hash("correct horse battery staple");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  std::cout << "[ FIGURE   ] scrypt N=" << h.params().n << " r=" << h.params().r
            << " p=" << h.params().p << ": " << ms << " ms per hash\n";
  RecordProperty("scrypt_ms", static_cast<int>(ms));
  auto f = fields(encoded);
  ASSERT_EQ(f.size(), 6u) << encoded;
  EXPECT_EQ(f[0], "scrypt");
  EXPECT_EQ(f[1], "32768");
  EXPECT_EQ(f[2], "8");
  EXPECT_EQ(f[3], "1");
  EXPECT_EQ(secrets::unbase64(f[4]).size(), 16u);  // salt
  EXPECT_EQ(secrets::unbase64(f[5]).size(), 32u);  // derived key
  EXPECT_EQ(encoded.find("correct horse"), std::string::npos);
  EXPECT_TRUE(h.verify("correct horse battery staple", encoded));
  EXPECT_FALSE(h.verify("correct horse battery stapler", encoded));
}

TEST(PasswordHasherTest, VerifiesOnlyTheRightPassword) {
  auto h = cheap();
  std::string encoded = h.hash("s3cret");
  EXPECT_TRUE(h.verify("s3cret", encoded));
  EXPECT_FALSE(h.verify("s3cret ", encoded));
  EXPECT_FALSE(h.verify("S3cret", encoded));
  EXPECT_FALSE(h.verify("", encoded));
}

TEST(PasswordHasherTest, SaltMakesEveryHashDifferent) {
  auto h = cheap();
  std::set<std::string> seen;
  for (int i = 0; i < 5; ++i) seen.insert(h.hash("same"));
  EXPECT_EQ(seen.size(), 5u);
  for (const auto& e : seen) EXPECT_TRUE(h.verify("same", e));
}

TEST(PasswordHasherTest, ParametersAreReadFromTheEncodedString) {
  // A hash made with other parameters still verifies: the cost can be raised
  // without invalidating stored hashes.
  PasswordHasher other(PasswordHasher::Params{2048, 4, 2});
  std::string encoded = other.hash("pw");
  EXPECT_TRUE(cheap().verify("pw", encoded));
  EXPECT_EQ(fields(encoded)[1], "2048");
}

TEST(PasswordHasherTest, EmptyAndBinaryPasswords) {
  auto h = cheap();
  std::string binary("a\0b\xff", 4);
  std::string encoded = h.hash(binary);
  EXPECT_TRUE(h.verify(binary, encoded));
  EXPECT_FALSE(h.verify(std::string("a"), encoded));
  std::string empty = h.hash("");
  EXPECT_TRUE(h.verify("", empty));
}

TEST(PasswordHasherTest, MalformedOrTamperedHashesNeverMatch) {
  auto h = cheap();
  std::string good = h.hash("pw");
  auto f = fields(good);
  auto join = [](const std::vector<std::string>& parts) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "$" : "") + parts[i];
    return out;
  };
  std::vector<std::string> bad = {
      "",
      "pw",
      "scrypt",
      "bcrypt$" + good.substr(7),
      good + "$extra",
      join({f[0], "1000", f[2], f[3], f[4], f[5]}),      // N not a power of two
      join({f[0], "1", f[2], f[3], f[4], f[5]}),         // N too small
      join({f[0], "4194304", f[2], f[3], f[4], f[5]}),   // N beyond the bound
      join({f[0], f[1], "0", f[3], f[4], f[5]}),         // r = 0
      join({f[0], f[1], f[2], "99", f[4], f[5]}),        // p too large
      join({f[0], f[1], f[2], f[3], "c2hvcnQ=", f[5]}),  // salt too short
      join({f[0], f[1], f[2], f[3], f[4], "AAAA"}),      // hash too short
      join({f[0], f[1], f[2], f[3], f[4], "!!!!" + f[5].substr(4)}),
      join({f[0], "-1024", f[2], f[3], f[4], f[5]}),
      join({f[0], "1024 ", f[2], f[3], f[4], f[5]}),
  };
  for (const auto& b : bad) EXPECT_FALSE(h.verify("pw", b)) << b;
  // One flipped bit of the derived key.
  std::string key = secrets::unbase64(f[5]);
  key[0] = static_cast<char>(key[0] ^ 1);
  EXPECT_FALSE(h.verify("pw", join({f[0], f[1], f[2], f[3], f[4], secrets::base64(key)})));
}

TEST(PasswordHasherTest, RefusesInvalidParameters) {
  EXPECT_THROW(PasswordHasher(PasswordHasher::Params{1000, 8, 1}), std::invalid_argument);
  EXPECT_THROW(PasswordHasher(PasswordHasher::Params{1024, 0, 1}), std::invalid_argument);
}

/// The peak resident memory of this process in KiB (VmHWM), or -1.
long peakRssKiB() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

TEST(PasswordHasherTest, ConcurrentHashesAreBoundedInMemory) {
  // Any client can send Basic credentials; each check holds scrypt's 32 MiB
  // while it runs. A burst of logins must not hold that many times over.
  PasswordHasher h;  // default cost: 32 MiB per hash
  std::string stored = h.hash("pw");
  unsigned saved = PasswordHasher::maxConcurrentHashes();
  PasswordHasher::setMaxConcurrentHashes(2);
  {
    std::ofstream reset("/proc/self/clear_refs");  // resets VmHWM to the current RSS
    reset << "5";
  }
  long before = peakRssKiB();
  if (before < 0) GTEST_SKIP() << "no VmHWM in /proc/self/status";
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) threads.emplace_back([&] { EXPECT_FALSE(h.verify("no", stored)); });
  for (auto& t : threads) t.join();
  long grew = peakRssKiB() - before;
  PasswordHasher::setMaxConcurrentHashes(saved);
  // Two at a time: about 64 MiB; unbounded, twelve hold 384 MiB at once.
  EXPECT_LT(grew, 6L * 33 * 1024) << "peak resident memory grew by " << grew << " KiB";
}

TEST(PasswordHasherTest, MaxConcurrentHashesDefaultsToTheCores) {
  EXPECT_GE(PasswordHasher::maxConcurrentHashes(), 2u);
  EXPECT_GE(PasswordHasher::maxConcurrentHashes(), std::thread::hardware_concurrency());
}

TEST(SecretsTest, Base64RoundTripsAndIsStrict) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"})
    EXPECT_EQ(secrets::unbase64(secrets::base64(s)), s);
  EXPECT_EQ(secrets::base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(secrets::base64Url("\xfb\xff"), "-_8");
  EXPECT_THROW(secrets::unbase64("Zm9"), std::invalid_argument);
  EXPECT_THROW(secrets::unbase64("Zm9v!mFy"), std::invalid_argument);
  EXPECT_THROW(secrets::unbase64("Zm9=YmFy"), std::invalid_argument);
}

TEST(SecretsTest, RandomBytesAndConstantTimeEquals) {
  EXPECT_EQ(secrets::randomBytes(32).size(), 32u);
  EXPECT_NE(secrets::randomBytes(32), secrets::randomBytes(32));
  EXPECT_TRUE(secrets::constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(secrets::constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(secrets::constantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(secrets::constantTimeEquals("", ""));
}

}  // namespace
}  // namespace strata
