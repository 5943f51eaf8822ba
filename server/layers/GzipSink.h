#pragma once

#include <deque>
#include <future>
#include <string>

#include "util/ByteSink.h"

namespace strata {

class TaskPool;

/// Gzip compression with libdeflate. The input is cut into fixed-size chunks
/// and each chunk becomes one gzip member (RFC 1952 allows several; registry
/// clients read them all), so the output depends only on the input, the chunk
/// size and the level: deterministic on any machine and any number of
/// threads. Chunks are compressed on `pool` (in parallel, as pigz does) and
/// written to `next` in order; without a pool, on the calling thread.
class GzipSink : public ByteSink {
 public:
  static constexpr std::size_t kChunkSize = 1 << 20;

  GzipSink(ByteSink& next, int level, TaskPool* pool = nullptr);
  ~GzipSink() override;
  void write(const char* data, std::size_t size) override;
  void finish() override;

  /// Compresses one chunk into a complete gzip member.
  static std::string compressMember(const std::string& in, int level);

 private:
  void submitChunk();
  void writeOldest();

  ByteSink& next_;
  int level_;
  TaskPool* pool_;
  std::string in_;
  std::deque<std::future<std::string>> pending_;
  bool wroteMember_ = false;
};

}  // namespace strata
