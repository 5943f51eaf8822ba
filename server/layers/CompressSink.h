#pragma once

#include <deque>
#include <future>
#include <memory>
#include <string>
#include <vector>

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
/// the calling thread. gzip uses libdeflate, several times faster than zlib;
/// 64 KiB pieces that look already compressed (a nearly flat byte histogram)
/// are stored rather than deflated again, each run of them a member of its own.
class CompressSink : public ByteSink {
 public:
  static constexpr std::size_t kChunkSize = 1 << 20;

  CompressSink(ByteSink& next, Codec codec, int level, TaskPool* pool = nullptr);
  ~CompressSink() override;
  void write(const char* data, std::size_t size) override;
  void finish() override;

  /// Compresses one chunk into a complete gzip member or zstd frame.
  static std::string compressChunk(Codec codec, const std::string& in, int level);
  /// The same into `out` (replaced; its capacity is kept).
  static void compressChunkInto(Codec codec, const std::string& in, int level, std::string& out);

 private:
  /// One chunk's input and output, used again for later chunks.
  struct Buffers {
    std::string in, out;
  };
  std::shared_ptr<Buffers> freshBuffers();
  void submitChunk();
  void writeOldest();
  void writeAndRecycle(std::shared_ptr<Buffers> done);

  ByteSink& next_;
  Codec codec_;
  int level_;
  TaskPool* pool_;
  std::shared_ptr<Buffers> current_;
  std::deque<std::future<std::shared_ptr<Buffers>>> pending_;
  std::vector<std::shared_ptr<Buffers>> spare_;
  bool wroteChunk_ = false;
};

}  // namespace strata
