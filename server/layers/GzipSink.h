#pragma once

#include <string>

#include "util/ByteSink.h"

namespace strata {

/// Gzip compression with libdeflate. The input is cut into fixed-size chunks
/// and each chunk becomes one gzip member (RFC 1952 allows several; every
/// registry client reads them), so the output depends only on the input, the
/// chunk size and the level: deterministic, and each chunk could be
/// compressed on its own core.
class GzipSink : public ByteSink {
 public:
  static constexpr std::size_t kChunkSize = 1 << 20;

  GzipSink(ByteSink& next, int level);
  ~GzipSink() override;
  void write(const char* data, std::size_t size) override;
  void finish() override;

 private:
  void flushChunk();
  ByteSink& next_;
  void* compressor_;
  std::string in_;
  std::string out_;
  bool wroteMember_ = false;
};

}  // namespace strata
