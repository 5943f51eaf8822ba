#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace strata {

/// Where streamed bytes go: a layer flows tar → hash → gzip → hash → file
/// through a chain of sinks without ever being held whole in memory.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(const char* data, std::size_t size) = 0;
  /// No more data; flushes what the sink buffers into the next one.
  virtual void finish() {}
};

/// Forwards bytes unchanged while hashing and counting them.
class HashingSink : public ByteSink {
 public:
  explicit HashingSink(ByteSink& next);
  ~HashingSink() override;
  void write(const char* data, std::size_t size) override;
  void finish() override;
  /// sha256 hex of everything written; valid after finish().
  const std::string& hex() const { return hex_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  ByteSink& next_;
  void* sha_;
  std::string hex_;
  std::uint64_t bytes_ = 0;
};

/// Collects bytes in memory (tests, small blobs).
class StringSink : public ByteSink {
 public:
  void write(const char* data, std::size_t size) override { data_.append(data, size); }
  std::string& data() { return data_; }

 private:
  std::string data_;
};

}  // namespace strata
