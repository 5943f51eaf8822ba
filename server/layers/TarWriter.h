#pragma once

#include <cstdint>
#include <string>

#include "util/ByteSink.h"

namespace strata {

/// Numeric owner of a tar entry (ids up to 2097151, the ustar field's range).
struct TarOwner {
  unsigned uid = 0;
  unsigned gid = 0;
};

/// Writes a deterministic tar stream: POSIX ustar headers with mtime 1,
/// uid/gid 0 (unless an entry names its owner) and empty user and group names; names or link
/// targets that do not fit ustar (long, non-ASCII) get a PAX extended header. The caller decides
/// the order of entries.
class TarWriter {
 public:
  static constexpr std::uint64_t kMtime = 1;

  explicit TarWriter(ByteSink& out) : out_(out) {}

  /// `name` without a trailing slash; the writer adds it.
  void directory(const std::string& name, unsigned mode, TarOwner owner = {});
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
              const std::string& linkTarget, TarOwner owner = {});
  void pad(std::uint64_t size);
  ByteSink& out_;
  std::uint64_t fileSize_ = 0;
  std::uint64_t fileWritten_ = 0;
};

}  // namespace strata
