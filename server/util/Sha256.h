#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace strata {

/// Incremental SHA-256 (OpenSSL). hexDigest() finishes the hash; the object can
/// not be updated afterwards.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  std::string hexDigest();

  static std::string hex(std::string_view data);

 private:
  void* ctx_;
};

}  // namespace strata
