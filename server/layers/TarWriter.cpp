#include "layers/TarWriter.h"

#include <cstring>
#include <stdexcept>

namespace strata {
namespace {

constexpr std::size_t kBlock = 512;

bool fitsUstar(const std::string& s, std::size_t max) {
  if (s.size() > max) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f) return false;
  return true;
}

/// Octal, zero-padded, NUL-terminated, into a field of `width` bytes.
void octal(char* field, std::size_t width, std::uint64_t value) {
  std::memset(field, '0', width - 1);
  field[width - 1] = '\0';
  for (std::size_t i = width - 1; i-- > 0 && value > 0; value >>= 3)
    field[i] = char('0' + (value & 7));
  if (value != 0) throw std::length_error("tar: value does not fit its header field");
}

/// One PAX record: "<len> <key>=<value>\n", where <len> counts the whole record.
std::string paxRecord(const std::string& key, const std::string& value) {
  std::size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  std::size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  return std::to_string(len) + " " + key + "=" + value + "\n";
}

}  // namespace

void TarWriter::header(const std::string& name, char type, unsigned mode, std::uint64_t size,
                       const std::string& linkTarget, TarOwner owner) {
  constexpr std::uint64_t kMaxOctalSize = 077777777777ull;
  std::string pax;
  if (!fitsUstar(name, 100)) pax += paxRecord("path", name);
  if (!fitsUstar(linkTarget, 100)) pax += paxRecord("linkpath", linkTarget);
  if (size > kMaxOctalSize) pax += paxRecord("size", std::to_string(size));
  if (!pax.empty()) {
    header("././@PaxHeader", 'x', 0644, pax.size(), "");
    out_.write(pax.data(), pax.size());
    pad(pax.size());
  }

  char h[kBlock];
  std::memset(h, 0, kBlock);
  // Fields that need a PAX record still get a placeholder (plain ASCII prefix).
  auto place = [](char* field, std::size_t width, const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
      if (n == width) break;
      field[n++] = (c >= 0x20 && c < 0x7f) ? char(c) : '_';
    }
  };
  place(h, 100, name);
  octal(h + 100, 8, mode & 07777);
  octal(h + 108, 8, owner.uid);
  octal(h + 116, 8, owner.gid);
  octal(h + 124, 12, size > kMaxOctalSize ? 0 : size);
  octal(h + 136, 12, kMtime);
  std::memset(h + 148, ' ', 8);
  h[156] = type;
  place(h + 157, 100, linkTarget);
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  octal(h + 329, 8, 0);
  octal(h + 337, 8, 0);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  octal(h + 148, 7, sum);
  h[155] = ' ';
  out_.write(h, kBlock);
}

void TarWriter::pad(std::uint64_t size) {
  static const char kZeros[kBlock] = {};
  std::size_t rest = size % kBlock;
  if (rest != 0) out_.write(kZeros, kBlock - rest);
}

void TarWriter::directory(const std::string& name, unsigned mode, TarOwner owner) {
  header(name + "/", '5', mode, 0, "", owner);
}

void TarWriter::symlink(const std::string& name, const std::string& target) {
  header(name, '2', 0777, 0, target);
}

void TarWriter::beginFile(const std::string& name, unsigned mode, std::uint64_t size) {
  header(name, '0', mode, size, "");
  fileSize_ = size;
  fileWritten_ = 0;
}

void TarWriter::data(const char* bytes, std::size_t size) {
  if (fileWritten_ + size > fileSize_)
    throw std::logic_error("tar: more data than the header said");
  fileWritten_ += size;
  out_.write(bytes, size);
}

void TarWriter::endFile() {
  if (fileWritten_ != fileSize_)
    throw std::runtime_error("tar: file changed size while it was read");
  pad(fileSize_);
}

void TarWriter::finish() {
  static const char kZeros[2 * kBlock] = {};
  out_.write(kZeros, sizeof kZeros);
  out_.finish();
}

}  // namespace strata
