#include "layers/GzipSink.h"

#include <libdeflate.h>

#include <memory>
#include <stdexcept>

#include "util/TaskPool.h"

namespace strata {

namespace {

/// libdeflate compressors are not thread-safe but cheap to keep: one per
/// thread and level.
libdeflate_compressor* compressorFor(int level) {
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

}  // namespace

std::string GzipSink::compressMember(const std::string& in, int level) {
  libdeflate_compressor* c = compressorFor(level);
  std::string out(libdeflate_gzip_compress_bound(c, in.size()), '\0');
  std::size_t n = libdeflate_gzip_compress(c, in.data(), in.size(), out.data(), out.size());
  if (n == 0) throw std::runtime_error("gzip compression failed");
  out.resize(n);
  return out;
}

GzipSink::GzipSink(ByteSink& next, int level, TaskPool* pool)
    : next_(next), level_(level), pool_(pool) {
  compressorFor(level);  // reject a bad level here, not in a worker
  in_.reserve(kChunkSize);
}

GzipSink::~GzipSink() {
  // On an exception path, let workers finish with buffers they still use.
  for (auto& f : pending_)
    if (f.valid()) f.wait();
}

void GzipSink::write(const char* data, std::size_t size) {
  while (size > 0) {
    std::size_t take = std::min(size, kChunkSize - in_.size());
    in_.append(data, take);
    data += take;
    size -= take;
    if (in_.size() == kChunkSize) submitChunk();
  }
}

void GzipSink::submitChunk() {
  wroteMember_ = true;
  if (pool_ == nullptr) {
    std::string out = compressMember(in_, level_);
    next_.write(out.data(), out.size());
    in_.clear();
    return;
  }
  // Keep a few chunks per worker in flight: enough to keep every core busy,
  // few enough to bound memory (chunk size × queue depth).
  while (pending_.size() >= 2 * pool_->size()) writeOldest();
  auto chunk = std::make_shared<std::string>(std::move(in_));
  int level = level_;
  pending_.push_back(pool_->submit([chunk, level] { return compressMember(*chunk, level); }));
  in_ = std::string();
  in_.reserve(kChunkSize);
}

void GzipSink::writeOldest() {
  std::string out = pending_.front().get();
  pending_.pop_front();
  next_.write(out.data(), out.size());
}

void GzipSink::finish() {
  // An empty input still gives one (empty) member, so the output is valid gzip.
  if (!in_.empty() || !wroteMember_) submitChunk();
  while (!pending_.empty()) writeOldest();
  next_.finish();
}

}  // namespace strata
