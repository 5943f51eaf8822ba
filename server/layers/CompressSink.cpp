#include "layers/CompressSink.h"

#include <libdeflate.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "util/TaskPool.h"

namespace strata {

namespace {

/// libdeflate compressors and zstd contexts are not thread-safe but cheap to
/// keep: one per thread and level (a chunk may use two levels, see below).
libdeflate_compressor* deflaterFor(int level) {
  struct Cache {
    libdeflate_compressor* byLevel[13] = {};
    ~Cache() {
      for (auto* c : byLevel)
        if (c) libdeflate_free_compressor(c);
    }
  };
  thread_local Cache cache;
  if (level < 0 || level > 12) throw std::runtime_error("gzip level out of range");
  libdeflate_compressor*& c = cache.byLevel[level];
  if (!c) c = libdeflate_alloc_compressor(level);
  if (!c) throw std::runtime_error("cannot create a gzip compressor");
  return c;
}

/// Already-compressed data (gzip, zstd, JPEG, ...) gains nothing from deflate
/// yet costs as much CPU as text does. A piece whose byte histogram is nearly
/// flat (collision entropy above log2(239), about 7.9 bits per byte) is stored.
/// Integer arithmetic keeps the choice, and so the output, the same on every
/// machine.
constexpr std::size_t kPieceSize = 64 * 1024;

bool looksIncompressible(const char* data, std::size_t size) {
  if (size < kPieceSize) return false;
  // Four histograms, so that runs of one byte value do not wait on each other.
  std::uint32_t counts[4][256] = {};
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    ++counts[0][p[i]];
    ++counts[1][p[i + 1]];
    ++counts[2][p[i + 2]];
    ++counts[3][p[i + 3]];
  }
  for (; i < size; ++i) ++counts[0][p[i]];
  std::uint64_t sumOfSquares = 0;
  for (int b = 0; b < 256; ++b) {
    std::uint64_t c = std::uint64_t{counts[0][b]} + counts[1][b] + counts[2][b] + counts[3][b];
    sumOfSquares += c * c;
  }
  return sumOfSquares * 239 <= std::uint64_t{size} * size;
}

void appendGzipMember(std::string& out, const char* data, std::size_t size, int level) {
  libdeflate_compressor* c = deflaterFor(level);
  // Compressed into a buffer kept per thread, then copied: cheaper than
  // zero-filling a new bound-sized string for every chunk.
  thread_local std::vector<char> scratch;
  scratch.resize(std::max(scratch.size(), libdeflate_gzip_compress_bound(c, size)));
  std::size_t n = libdeflate_gzip_compress(c, data, size, scratch.data(), scratch.size());
  if (n == 0) throw std::runtime_error("gzip compression failed");
  out.append(scratch.data(), n);
}

ZSTD_CCtx* zstdContext() {
  thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx(ZSTD_createCCtx(),
                                                                      ZSTD_freeCCtx);
  if (!ctx) throw std::runtime_error("cannot create a zstd compressor");
  return ctx.get();
}

}  // namespace

int defaultLevel(Codec codec) {
  return codec == Codec::Zstd ? 3 : 6;
}

std::string CompressSink::compressChunk(Codec codec, const std::string& in, int level) {
  std::string out;
  compressChunkInto(codec, in, level, out);
  return out;
}

void CompressSink::compressChunkInto(Codec codec, const std::string& in, int level,
                                     std::string& out) {
  out.clear();
  if (codec == Codec::Zstd) {
    thread_local std::vector<char> scratch;
    scratch.resize(std::max(scratch.size(), ZSTD_compressBound(in.size())));
    // Every parameter is fixed (no content size guess, no checksum): the frame
    // is a function of the input and the level alone.
    std::size_t n = ZSTD_compressCCtx(zstdContext(), scratch.data(), scratch.size(), in.data(),
                                      in.size(), level);
    if (ZSTD_isError(n))
      throw std::runtime_error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    out.assign(scratch.data(), n);
    return;
  }
  // Runs of stored and compressed pieces become members of their own, so a
  // chunk without already-compressed data is one member, as it always was.
  if (in.empty()) {
    appendGzipMember(out, in.data(), 0, level);
    return;
  }
  std::vector<bool> stored;
  for (std::size_t at = 0; at < in.size(); at += kPieceSize)
    stored.push_back(looksIncompressible(in.data() + at, std::min(kPieceSize, in.size() - at)));
  out.reserve(in.size() + 1024);  // pages are touched only as they are written
  for (std::size_t first = 0; first < stored.size();) {
    std::size_t last = first + 1;
    while (last < stored.size() && stored[last] == stored[first]) ++last;
    std::size_t begin = first * kPieceSize, end = std::min(in.size(), last * kPieceSize);
    appendGzipMember(out, in.data() + begin, end - begin, stored[first] ? 0 : level);
    first = last;
  }
}

CompressSink::CompressSink(ByteSink& next, Codec codec, int level, TaskPool* pool)
    : next_(next), codec_(codec), level_(level), pool_(pool) {
  if (codec == Codec::Gzip) deflaterFor(level);  // reject a bad level here, not in a worker
  if (codec == Codec::Zstd && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()))
    throw std::runtime_error("zstd level out of range");
  current_ = freshBuffers();
}

CompressSink::~CompressSink() {
  // On an exception path, let workers finish with buffers they still use.
  for (auto& f : pending_)
    if (f.valid()) f.wait();
}

std::shared_ptr<CompressSink::Buffers> CompressSink::freshBuffers() {
  if (!spare_.empty()) {
    auto b = std::move(spare_.back());
    spare_.pop_back();
    return b;
  }
  auto b = std::make_shared<Buffers>();
  b->in.reserve(kChunkSize);
  return b;
}

void CompressSink::write(const char* data, std::size_t size) {
  while (size > 0) {
    std::string& in = current_->in;
    std::size_t take = std::min(size, kChunkSize - in.size());
    in.append(data, take);
    data += take;
    size -= take;
    if (in.size() == kChunkSize) submitChunk();
  }
}

void CompressSink::submitChunk() {
  wroteChunk_ = true;
  auto job = std::move(current_);
  if (pool_ == nullptr) {
    compressChunkInto(codec_, job->in, level_, job->out);
    writeAndRecycle(std::move(job));
  } else {
    // Keep a few chunks per worker in flight: enough to keep every core busy,
    // few enough to bound memory (chunk size × queue depth). Their buffers
    // are used again: a fresh megabyte costs a page fault per page.
    while (pending_.size() >= 2 * pool_->size()) writeOldest();
    Codec codec = codec_;
    int level = level_;
    pending_.push_back(pool_->submit([job, codec, level] {
      compressChunkInto(codec, job->in, level, job->out);
      return job;
    }));
  }
  current_ = freshBuffers();
}

void CompressSink::writeAndRecycle(std::shared_ptr<Buffers> done) {
  next_.write(done->out.data(), done->out.size());
  done->in.clear();
  done->out.clear();
  spare_.push_back(std::move(done));
}

void CompressSink::writeOldest() {
  auto done = pending_.front().get();
  pending_.pop_front();
  writeAndRecycle(std::move(done));
}

void CompressSink::finish() {
  // An empty input still gives one (empty) member or frame: valid output.
  if (!current_->in.empty() || !wroteChunk_) submitChunk();
  while (!pending_.empty()) writeOldest();
  spare_.clear();
  next_.finish();
}

}  // namespace strata
