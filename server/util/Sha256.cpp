#include "util/Sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace strata {
namespace {

/// OpenSSL 3 looks the algorithm up in its providers on every init with
/// EVP_sha256() (about 2,800 instructions, more than hashing a manifest);
/// fetched once, it is only referenced. Never freed: it lives as long as the
/// process.
const EVP_MD* sha256Algorithm() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr ||
      EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), sha256Algorithm(), nullptr) != 1)
    throw std::runtime_error("cannot initialise SHA-256");
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void Sha256::update(const void* data, std::size_t size) {
  if (size > 0) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

std::string Sha256::hexDigest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

std::string Sha256::hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hexDigest();
}

}  // namespace strata
