#include "layers/GzipSink.h"

#include <libdeflate.h>

#include <stdexcept>

namespace strata {

GzipSink::GzipSink(ByteSink& next, int level)
    : next_(next), compressor_(libdeflate_alloc_compressor(level)) {
  if (compressor_ == nullptr) throw std::runtime_error("cannot create a gzip compressor");
  in_.reserve(kChunkSize);
}

GzipSink::~GzipSink() {
  libdeflate_free_compressor(static_cast<libdeflate_compressor*>(compressor_));
}

void GzipSink::write(const char* data, std::size_t size) {
  while (size > 0) {
    std::size_t take = std::min(size, kChunkSize - in_.size());
    in_.append(data, take);
    data += take;
    size -= take;
    if (in_.size() == kChunkSize) flushChunk();
  }
}

void GzipSink::flushChunk() {
  auto* c = static_cast<libdeflate_compressor*>(compressor_);
  out_.resize(libdeflate_gzip_compress_bound(c, in_.size()));
  std::size_t n = libdeflate_gzip_compress(c, in_.data(), in_.size(), out_.data(), out_.size());
  if (n == 0) throw std::runtime_error("gzip compression failed");
  next_.write(out_.data(), n);
  in_.clear();
  wroteMember_ = true;
}

void GzipSink::finish() {
  // An empty input still gives one (empty) member, so the output is valid gzip.
  if (!in_.empty() || !wroteMember_) flushChunk();
  next_.finish();
}

}  // namespace strata
