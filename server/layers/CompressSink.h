#pragma once

#include <deque>
#include <future>
#include <string>

#include "image/Codec.h"
#include "util/ByteSink.h"

namespace strata {

class TaskPool;

/// The level used for layers: gzip 6 (as pigz -6), zstd 3 (zstd's default).
int defaultLevel(Codec codec);

/// Compression of a stream in fixed-size chunks, each a complete gzip member
/// (RFC 1952 allows several; registry clients read them all) or zstd frame
/// (a zstd stream may hold several). The output therefore depends only on the
/// input, the codec, the level and the chunk size: deterministic on any
/// machine and with any number of threads. Chunks are compressed on `pool` (in
/// parallel, as pigz does) and written to `next` in order; without a pool, on
/// the calling thread. gzip uses libdeflate, several times faster than zlib.
class CompressSink : public ByteSink {
 public:
  static constexpr std::size_t kChunkSize = 1 << 20;

  CompressSink(ByteSink& next, Codec codec, int level, TaskPool* pool = nullptr);
  ~CompressSink() override;
  void write(const char* data, std::size_t size) override;
  void finish() override;

  /// Compresses one chunk into a complete gzip member or zstd frame.
  static std::string compressChunk(Codec codec, const std::string& in, int level);

 private:
  void submitChunk();
  void writeOldest();

  ByteSink& next_;
  Codec codec_;
  int level_;
  TaskPool* pool_;
  std::string in_;
  std::deque<std::future<std::string>> pending_;
  bool wroteChunk_ = false;
};

}  // namespace strata
