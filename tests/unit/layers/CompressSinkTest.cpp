#include "layers/CompressSink.h"

#include <libdeflate.h>
#include <zstd.h>

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "../support/TestSupport.h"
#include "util/ByteSink.h"
#include "util/TaskPool.h"

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

std::string compress(const std::string& input, int level = 6, std::size_t piece = 0,
                     Codec codec = Codec::Gzip, TaskPool* pool = nullptr) {
  CountingSink out;
  CompressSink gz(out, codec, level, pool);
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

TEST(CompressSinkGzip, EmptyInputIsOneValidEmptyMember) {
  std::string gz = compress("");
  ASSERT_FALSE(gz.empty());
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  std::size_t members = 0;
  EXPECT_EQ(test::gunzip(gz, &members), "");
  EXPECT_EQ(members, 1u);
}

TEST(CompressSinkGzip, SmallInputRoundTrips) {
  std::string input = "hello, layers\n";
  std::size_t members = 0;
  EXPECT_EQ(test::gunzip(compress(input), &members), input);
  EXPECT_EQ(members, 1u);
}

TEST(CompressSinkGzip, ExactlyOneChunkIsOneMember) {
  std::string input = sampleInput(CompressSink::kChunkSize);
  std::size_t members = 0;
  EXPECT_EQ(test::gunzip(compress(input), &members), input);
  EXPECT_EQ(members, 1u);
}

TEST(CompressSinkGzip, LargeInputBecomesOneMemberPerChunk) {
  std::string input = sampleInput(3 * CompressSink::kChunkSize + 12345);
  std::size_t members = 0;
  std::string gz = compress(input);
  EXPECT_EQ(test::gunzip(gz, &members), input);
  EXPECT_EQ(members, 4u);
  EXPECT_LT(gz.size(), input.size());
}

TEST(CompressSinkGzip, OutputDoesNotDependOnHowTheInputIsCut) {
  std::string input = sampleInput(2 * CompressSink::kChunkSize + 999);
  std::string whole = compress(input);
  EXPECT_EQ(whole, compress(input));
  EXPECT_EQ(whole, compress(input, 6, 1));
  EXPECT_EQ(whole, compress(input, 6, 4093));
  EXPECT_EQ(whole, compress(input, 6, CompressSink::kChunkSize + 1));
}

TEST(CompressSinkGzip, LevelsAllRoundTrip) {
  std::string input = sampleInput(200000, 11);
  for (int level : {0, 1, 6, 9, 12}) {
    SCOPED_TRACE(level);
    EXPECT_EQ(test::gunzip(compress(input, level)), input);
  }
}

TEST(CompressSinkGzip, IncompressibleInputRoundTrips) {
  std::mt19937 rng(3);
  std::string input(CompressSink::kChunkSize + 100, '\0');
  for (auto& c : input) c = static_cast<char>(rng() & 0xff);
  EXPECT_EQ(test::gunzip(compress(input, 9)), input);
}

std::string randomBytes(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(size, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

TEST(CompressSinkGzip, AlreadyCompressedDataIsStoredNotDeflatedAgain) {
  std::string input = randomBytes(CompressSink::kChunkSize, 21);
  std::string gz = compress(input);
  std::size_t members = 0;
  EXPECT_EQ(test::gunzip(gz, &members), input);
  EXPECT_EQ(members, 1u);
  // Stored blocks: 5 bytes per 64 KiB block plus the gzip header and trailer.
  EXPECT_LE(gz.size(), input.size() + 200);
  EXPECT_EQ(gz, CompressSink::compressChunk(Codec::Gzip, input, 0));
}

TEST(CompressSinkGzip, RunsOfStoredAndDeflatedPiecesAreMembersOfTheirOwn) {
  std::size_t piece = 64 * 1024;
  std::string input = sampleInput(3 * piece, 1) + randomBytes(2 * piece, 2) +
                      sampleInput(CompressSink::kChunkSize - 5 * piece, 3);
  std::size_t members = 0;
  std::string gz = compress(input);
  EXPECT_EQ(test::gunzip(gz, &members), input);
  EXPECT_EQ(members, 3u);
  EXPECT_EQ(gz, compress(input, 6, 4093));
  EXPECT_EQ(gz, CompressSink::compressChunk(Codec::Gzip, input, 6));
}

TEST(CompressSinkGzip, AChunkWithoutCompressedDataIsTheSameSingleMemberAsBefore) {
  // Layers without already-compressed data keep their digests: their chunks
  // are one member at the configured level, exactly as before pieces were
  // stored.
  std::string input = sampleInput(CompressSink::kChunkSize, 4);
  std::string gz = CompressSink::compressChunk(Codec::Gzip, input, 6);
  libdeflate_compressor* c = libdeflate_alloc_compressor(6);
  ASSERT_NE(c, nullptr);
  std::string direct(libdeflate_gzip_compress_bound(c, input.size()), '\0');
  direct.resize(
      libdeflate_gzip_compress(c, input.data(), input.size(), direct.data(), direct.size()));
  libdeflate_free_compressor(c);
  EXPECT_EQ(gz, direct);
  EXPECT_LT(gz.size(), input.size() * 3 / 4);
}

TEST(CompressSinkGzip, SystemGzipReadsMultiMemberOutput) {
  std::string input = sampleInput(CompressSink::kChunkSize + 5000, 5);
  test::TempDir dir;
  test::writeFile(dir / "x.gz", compress(input));
  auto r = test::runShell("gzip -dc " + test::shellQuote(dir / "x.gz"));
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, input);
}

TEST(CompressSinkGzip, RejectsAnInvalidLevel) {
  CountingSink out;
  EXPECT_THROW(CompressSink(out, Codec::Gzip, 99), std::runtime_error);
  EXPECT_THROW(CompressSink(out, Codec::Zstd, 99), std::runtime_error);
}

TEST(CompressSinkGzip, ParallelOutputEqualsSerialOutput) {
  std::string input = sampleInput(5 * CompressSink::kChunkSize + 77, 9);
  TaskPool pool(3);
  EXPECT_EQ(compress(input, 6, 0, Codec::Gzip, &pool), compress(input, 6));
  EXPECT_EQ(compress(input, 6, 4096, Codec::Gzip, &pool), compress(input, 6));
}

/// Decompresses a zstd stream of any number of frames.
std::string unzstd(const std::string& in, std::size_t* frames = nullptr) {
  std::string out;
  std::size_t pos = 0, count = 0;
  while (pos < in.size()) {
    std::size_t frame = ZSTD_findFrameCompressedSize(in.data() + pos, in.size() - pos);
    if (ZSTD_isError(frame)) throw std::runtime_error(ZSTD_getErrorName(frame));
    unsigned long long size = ZSTD_getFrameContentSize(in.data() + pos, frame);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
      throw std::runtime_error("frame without content size");
    std::string part(size, '\0');
    std::size_t n = ZSTD_decompress(part.data(), part.size(), in.data() + pos, frame);
    if (ZSTD_isError(n)) throw std::runtime_error(ZSTD_getErrorName(n));
    out += part.substr(0, n);
    pos += frame;
    ++count;
  }
  if (frames) *frames = count;
  return out;
}

TEST(CompressSinkZstd, RoundTripsOneFramePerChunk) {
  std::string input = sampleInput(3 * CompressSink::kChunkSize + 12345, 13);
  std::size_t frames = 0;
  std::string z = compress(input, 3, 0, Codec::Zstd);
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x28);  // zstd magic 28 b5 2f fd
  EXPECT_EQ(unzstd(z, &frames), input);
  EXPECT_EQ(frames, 4u);
  EXPECT_LT(z.size(), input.size());
}

TEST(CompressSinkZstd, EmptyInputIsOneValidFrame) {
  std::size_t frames = 0;
  EXPECT_EQ(unzstd(compress("", 3, 0, Codec::Zstd), &frames), "");
  EXPECT_EQ(frames, 1u);
}

TEST(CompressSinkZstd, DeterministicWhateverTheThreadsAndCuts) {
  std::string input = sampleInput(2 * CompressSink::kChunkSize + 999, 17);
  TaskPool pool(2);
  std::string serial = compress(input, 3, 0, Codec::Zstd);
  EXPECT_EQ(serial, compress(input, 3, 1000, Codec::Zstd, &pool));
  EXPECT_EQ(serial, compress(input, 3, CompressSink::kChunkSize - 1, Codec::Zstd));
}

TEST(Codec, NamesAndLevels) {
  EXPECT_EQ(parseCodec("gzip"), Codec::Gzip);
  EXPECT_EQ(parseCodec("zstd"), Codec::Zstd);
  EXPECT_THROW(parseCodec("lz4"), std::invalid_argument);
  EXPECT_THROW(parseCodec("GZIP"), std::invalid_argument);
  EXPECT_STREQ(codecName(Codec::Zstd), "zstd");
  EXPECT_EQ(defaultLevel(Codec::Gzip), 6);
  EXPECT_EQ(defaultLevel(Codec::Zstd), 3);
}

}  // namespace
}  // namespace strata
