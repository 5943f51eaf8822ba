#pragma once

// Helpers shared by the unit tests: temporary folders, file helpers, a small
// tar reader that checks every header it parses, and a multi-member gunzip.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace strata::test {

/// A fresh folder under the GoogleTest temporary directory, removed with
/// everything in it when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir();
    if (pattern.empty() || pattern.back() != '/') pattern += '/';
    pattern += "strata-unit-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

/// Writes `content` to `path`, creating parent folders, with the given mode.
inline void writeFile(const std::string& path, const std::string& content, unsigned mode = 0644) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << content;
  }
  if (::chmod(path.c_str(), mode) != 0) throw std::runtime_error("cannot chmod " + path);
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void makeSymlink(const std::string& target, const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::filesystem::create_symlink(target, path);
}

/// Runs a shell command line (test fixtures only), returning stdout and the
/// exit status.
struct CommandResult {
  int status = -1;
  std::string out;
};
inline CommandResult runShell(const std::string& command) {
  CommandResult r;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

/// Single-quotes a string for /bin/sh.
inline std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// ---------------------------------------------------------------------------
// Tar reading

/// One entry of a tar stream as the raw headers say, after applying PAX
/// records to the following header.
struct TarEntry {
  std::string name;      ///< effective name (PAX path when present)
  std::string rawName;   ///< the ustar name field
  std::string linkName;  ///< effective link target
  std::string rawLink;   ///< the ustar linkname field
  char type = 0;
  unsigned mode = 0;
  std::uint64_t uid = 0, gid = 0, mtime = 0, size = 0;
  std::string uname, gname, magic, version;
  std::string data;
  std::map<std::string, std::string> pax;  ///< PAX records that applied to this entry
  std::size_t headerOffset = 0;            ///< where the ustar header of the entry starts
};

struct TarArchive {
  std::vector<TarEntry> entries;
  std::size_t endOffset = 0;  ///< offset of the two terminating zero blocks
};

namespace detail {

inline std::string field(const char* h, std::size_t width) {
  std::size_t n = 0;
  while (n < width && h[n] != '\0') ++n;
  return std::string(h, n);
}

inline std::uint64_t octalField(const char* h, std::size_t width, const std::string& what) {
  std::string s = field(h, width);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::uint64_t v = 0;
  if (s.empty()) throw std::runtime_error("tar: empty octal field " + what);
  for (char c : s) {
    if (c < '0' || c > '7') throw std::runtime_error("tar: bad octal in " + what + ": '" + s + "'");
    v = v * 8 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

/// Parses PAX records, checking that every length prefix is exact.
inline std::map<std::string, std::string> paxRecords(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t space = body.find(' ', pos);
    if (space == std::string::npos) throw std::runtime_error("pax: no length");
    std::size_t len = std::stoul(body.substr(pos, space - pos));
    if (pos + len > body.size()) throw std::runtime_error("pax: record longer than the header");
    std::string rec = body.substr(pos, len);
    if (rec.back() != '\n') throw std::runtime_error("pax: record length is wrong: " + rec);
    std::string kv = rec.substr(space - pos + 1, rec.size() - (space - pos + 1) - 1);
    std::size_t eq = kv.find('=');
    if (eq == std::string::npos) throw std::runtime_error("pax: no '=' in " + rec);
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
    pos += len;
  }
  return out;
}

}  // namespace detail

/// Parses a complete tar stream, validating checksums, magic, padding and the
/// end-of-archive marker. Throws std::runtime_error on anything malformed.
inline TarArchive parseTar(const std::string& tar) {
  constexpr std::size_t kBlock = 512;
  if (tar.size() % kBlock != 0) throw std::runtime_error("tar: size is not a multiple of 512");
  TarArchive archive;
  std::map<std::string, std::string> pending;
  bool havePending = false;
  std::size_t pos = 0;
  const std::string zeros(kBlock, '\0');
  while (true) {
    if (pos + kBlock > tar.size()) throw std::runtime_error("tar: no end-of-archive marker");
    const char* h = tar.data() + pos;
    if (tar.compare(pos, kBlock, zeros) == 0) {
      if (pos + 2 * kBlock != tar.size() || tar.compare(pos + kBlock, kBlock, zeros) != 0)
        throw std::runtime_error("tar: the archive does not end with exactly two zero blocks");
      if (havePending) throw std::runtime_error("tar: PAX header without an entry");
      archive.endOffset = pos;
      return archive;
    }
    // Checksum: the sum of all bytes with the checksum field read as spaces.
    unsigned sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i)
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    if (h[154] != '\0' || h[155] != ' ')
      throw std::runtime_error("tar: checksum field is not '<6 octal digits>\\0 '");
    if (detail::octalField(h + 148, 8, "chksum") != sum)
      throw std::runtime_error("tar: bad checksum at offset " + std::to_string(pos));

    TarEntry e;
    e.headerOffset = pos;
    e.rawName = detail::field(h, 100);
    e.mode = static_cast<unsigned>(detail::octalField(h + 100, 8, "mode"));
    e.uid = detail::octalField(h + 108, 8, "uid");
    e.gid = detail::octalField(h + 116, 8, "gid");
    e.size = detail::octalField(h + 124, 12, "size");
    e.mtime = detail::octalField(h + 136, 12, "mtime");
    e.type = h[156];
    e.rawLink = detail::field(h + 157, 100);
    e.magic = std::string(h + 257, 6);
    e.version = std::string(h + 263, 2);
    e.uname = detail::field(h + 265, 32);
    e.gname = detail::field(h + 297, 32);
    if (detail::field(h + 345, 155) != "")
      throw std::runtime_error("tar: unexpected ustar prefix field");
    if (e.magic != std::string("ustar\0", 6) || e.version != "00")
      throw std::runtime_error("tar: not a POSIX ustar header");
    pos += kBlock;
    if (havePending) e.pax = pending;
    std::uint64_t size = e.size;
    if (e.pax.count("size")) size = std::stoull(e.pax.at("size"));
    if (pos + size > tar.size()) throw std::runtime_error("tar: truncated data");
    std::string data = tar.substr(pos, size);
    std::size_t padded = (size + kBlock - 1) / kBlock * kBlock;
    for (std::size_t i = pos + size; i < pos + padded; ++i)
      if (tar[i] != '\0') throw std::runtime_error("tar: padding is not zero");
    pos += padded;
    if (e.type == 'x') {
      if (havePending) throw std::runtime_error("tar: two PAX headers in a row");
      pending = detail::paxRecords(data);
      havePending = true;
      continue;
    }
    havePending = false;
    pending.clear();
    e.name = e.pax.count("path") ? e.pax.at("path") : e.rawName;
    e.linkName = e.pax.count("linkpath") ? e.pax.at("linkpath") : e.rawLink;
    e.data = std::move(data);
    archive.entries.push_back(std::move(e));
  }
}

inline std::vector<std::string> entryNames(const TarArchive& a) {
  std::vector<std::string> out;
  for (const auto& e : a.entries) out.push_back(e.name);
  return out;
}

// ---------------------------------------------------------------------------
// Gzip reading

/// Decompresses a gzip stream of one or more members with zlib. Throws on
/// corrupt or truncated input. `members` receives the member count.
inline std::string gunzip(const std::string& gz, std::size_t* members = nullptr) {
  std::string out;
  std::size_t count = 0;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  char buf[65536];
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_STREAM_END) {
      ++count;
      if (zs.avail_in == 0) break;
      inflateReset(&zs);
      continue;
    }
    if (rc != Z_OK) {
      inflateEnd(&zs);
      throw std::runtime_error("gunzip: corrupt or truncated input");
    }
    if (zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      throw std::runtime_error("gunzip: truncated input");
    }
  }
  inflateEnd(&zs);
  if (members) *members = count;
  return out;
}

}  // namespace strata::test
