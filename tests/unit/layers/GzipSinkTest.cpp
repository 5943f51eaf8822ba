#include "layers/GzipSink.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "../support/TestSupport.h"
#include "util/ByteSink.h"

namespace strata {
namespace {

class CountingSink : public ByteSink {
 public:
  void write(const char* data, std::size_t size) override { data_.append(data, size); }
  void finish() override { ++finished_; }
  std::string data_;
  int finished_ = 0;
};

/// Compressible but not trivial: words with some pseudo-random noise.
std::string sampleInput(std::size_t size, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(size);
  static const char* kWords[] = {"nix ", "store ", "layer ", "strata ", "\n", "glibc "};
  while (s.size() < size) {
    if (rng() % 4 == 0)
      s.push_back(static_cast<char>(rng() & 0xff));
    else
      s += kWords[rng() % 6];
  }
  s.resize(size);
  return s;
}

std::string compress(const std::string& input, int level = 6, std::size_t piece = 0) {
  CountingSink out;
  GzipSink gz(out, level);
  if (piece == 0) {
    gz.write(input.data(), input.size());
  } else {
    for (std::size_t i = 0; i < input.size(); i += piece)
      gz.write(input.data() + i, std::min(piece, input.size() - i));
  }
  gz.finish();
  EXPECT_EQ(out.finished_, 1);
  return out.data_;
}

TEST(GzipSink, EmptyInputIsOneValidEmptyMember) {
  std::string gz = compress("");
  ASSERT_FALSE(gz.empty());
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  std::size_t members = 0;
  EXPECT_EQ(test::gunzip(gz, &members), "");
  EXPECT_EQ(members, 1u);
}

TEST(GzipSink, SmallInputRoundTrips) {
  std::string input = "hello, layers\n";
  std::size_t members = 0;
  EXPECT_EQ(test::gunzip(compress(input), &members), input);
  EXPECT_EQ(members, 1u);
}

TEST(GzipSink, ExactlyOneChunkIsOneMember) {
  std::string input = sampleInput(GzipSink::kChunkSize);
  std::size_t members = 0;
  EXPECT_EQ(test::gunzip(compress(input), &members), input);
  EXPECT_EQ(members, 1u);
}

TEST(GzipSink, LargeInputBecomesOneMemberPerChunk) {
  std::string input = sampleInput(3 * GzipSink::kChunkSize + 12345);
  std::size_t members = 0;
  std::string gz = compress(input);
  EXPECT_EQ(test::gunzip(gz, &members), input);
  EXPECT_EQ(members, 4u);
  EXPECT_LT(gz.size(), input.size());
}

TEST(GzipSink, OutputDoesNotDependOnHowTheInputIsCut) {
  std::string input = sampleInput(2 * GzipSink::kChunkSize + 999);
  std::string whole = compress(input);
  EXPECT_EQ(whole, compress(input));
  EXPECT_EQ(whole, compress(input, 6, 1));
  EXPECT_EQ(whole, compress(input, 6, 4093));
  EXPECT_EQ(whole, compress(input, 6, GzipSink::kChunkSize + 1));
}

TEST(GzipSink, LevelsAllRoundTrip) {
  std::string input = sampleInput(200000, 11);
  for (int level : {0, 1, 6, 9, 12}) {
    SCOPED_TRACE(level);
    EXPECT_EQ(test::gunzip(compress(input, level)), input);
  }
}

TEST(GzipSink, IncompressibleInputRoundTrips) {
  std::mt19937 rng(3);
  std::string input(GzipSink::kChunkSize + 100, '\0');
  for (auto& c : input) c = static_cast<char>(rng() & 0xff);
  EXPECT_EQ(test::gunzip(compress(input, 9)), input);
}

TEST(GzipSink, SystemGzipReadsMultiMemberOutput) {
  std::string input = sampleInput(GzipSink::kChunkSize + 5000, 5);
  test::TempDir dir;
  test::writeFile(dir / "x.gz", compress(input));
  auto r = test::runShell("gzip -dc " + test::shellQuote(dir / "x.gz"));
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, input);
}

TEST(GzipSink, RejectsAnInvalidLevel) {
  CountingSink out;
  EXPECT_THROW(GzipSink(out, 99), std::runtime_error);
}

}  // namespace
}  // namespace strata
