#pragma once

#include <cstdint>
#include <string>

#include "util/ByteSink.h"

namespace strata {

/// Writes a deterministic tar stream: POSIX ustar headers with mtime 1,
/// uid/gid 0 and empty user and group names; names or link targets that do
/// not fit ustar (long, non-ASCII) get a PAX extended header. The caller
/// decides the order of entries.
class TarWriter {
 public:
  static constexpr std::uint64_t kMtime = 1;

  explicit TarWriter(ByteSink& out) : out_(out) {}

  /// `name` without a trailing slash; the writer adds it.
  void directory(const std::string& name, unsigned mode);
  void symlink(const std::string& name, const std::string& target);
  /// Writes the header; the caller then calls data() with exactly `size` bytes
  /// and endFile().
  void beginFile(const std::string& name, unsigned mode, std::uint64_t size);
  void data(const char* bytes, std::size_t size);
  void endFile();
  /// The two zero blocks that end an archive.
  void finish();

 private:
  void header(const std::string& name, char type, unsigned mode, std::uint64_t size,
              const std::string& linkTarget);
  void pad(std::uint64_t size);
  ByteSink& out_;
  std::uint64_t fileSize_ = 0;
  std::uint64_t fileWritten_ = 0;
};

}  // namespace strata
