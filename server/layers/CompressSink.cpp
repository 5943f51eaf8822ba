#include "layers/CompressSink.h"

#include <libdeflate.h>
#include <zstd.h>

#include <memory>
#include <stdexcept>

#include "util/TaskPool.h"

namespace strata {

namespace {

/// libdeflate compressors and zstd contexts are not thread-safe but cheap to
/// keep: one per thread (and level, for libdeflate).
libdeflate_compressor* deflaterFor(int level) {
  struct Cache {
    int level = -1;
    libdeflate_compressor* c = nullptr;
    ~Cache() {
      if (c) libdeflate_free_compressor(c);
    }
  };
  thread_local Cache cache;
  if (cache.level != level) {
    if (cache.c) libdeflate_free_compressor(cache.c);
    cache.c = libdeflate_alloc_compressor(level);
    cache.level = level;
    if (!cache.c) throw std::runtime_error("cannot create a gzip compressor");
  }
  return cache.c;
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
  if (codec == Codec::Zstd) {
    std::string out(ZSTD_compressBound(in.size()), '\0');
    // Every parameter is fixed (no content size guess, no checksum): the frame
    // is a function of the input and the level alone.
    std::size_t n =
        ZSTD_compressCCtx(zstdContext(), out.data(), out.size(), in.data(), in.size(), level);
    if (ZSTD_isError(n))
      throw std::runtime_error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
  }
  libdeflate_compressor* c = deflaterFor(level);
  std::string out(libdeflate_gzip_compress_bound(c, in.size()), '\0');
  std::size_t n = libdeflate_gzip_compress(c, in.data(), in.size(), out.data(), out.size());
  if (n == 0) throw std::runtime_error("gzip compression failed");
  out.resize(n);
  return out;
}

CompressSink::CompressSink(ByteSink& next, Codec codec, int level, TaskPool* pool)
    : next_(next), codec_(codec), level_(level), pool_(pool) {
  if (codec == Codec::Gzip) deflaterFor(level);  // reject a bad level here, not in a worker
  if (codec == Codec::Zstd && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()))
    throw std::runtime_error("zstd level out of range");
  in_.reserve(kChunkSize);
}

CompressSink::~CompressSink() {
  // On an exception path, let workers finish with buffers they still use.
  for (auto& f : pending_)
    if (f.valid()) f.wait();
}

void CompressSink::write(const char* data, std::size_t size) {
  while (size > 0) {
    std::size_t take = std::min(size, kChunkSize - in_.size());
    in_.append(data, take);
    data += take;
    size -= take;
    if (in_.size() == kChunkSize) submitChunk();
  }
}

void CompressSink::submitChunk() {
  wroteChunk_ = true;
  if (pool_ == nullptr) {
    std::string out = compressChunk(codec_, in_, level_);
    next_.write(out.data(), out.size());
    in_.clear();
    return;
  }
  // Keep a few chunks per worker in flight: enough to keep every core busy,
  // few enough to bound memory (chunk size × queue depth).
  while (pending_.size() >= 2 * pool_->size()) writeOldest();
  auto chunk = std::make_shared<std::string>(std::move(in_));
  Codec codec = codec_;
  int level = level_;
  pending_.push_back(
      pool_->submit([chunk, codec, level] { return compressChunk(codec, *chunk, level); }));
  in_ = std::string();
  in_.reserve(kChunkSize);
}

void CompressSink::writeOldest() {
  std::string out = pending_.front().get();
  pending_.pop_front();
  next_.write(out.data(), out.size());
}

void CompressSink::finish() {
  // An empty input still gives one (empty) member or frame: valid output.
  if (!in_.empty() || !wroteChunk_) submitChunk();
  while (!pending_.empty()) writeOldest();
  next_.finish();
}

}  // namespace strata
