#include "auth/PasswordHasher.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "auth/Secrets.h"

namespace strata {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// Bounds for parameters read back from the database: a tampered or corrupt
// row must not make one login allocate gigabytes or spin for minutes.
constexpr std::uint64_t kMaxN = 1u << 20;
constexpr std::uint64_t kMaxR = 32;
constexpr std::uint64_t kMaxP = 16;

bool validParams(const PasswordHasher::Params& p) {
  bool powerOfTwo = p.n >= 2 && (p.n & (p.n - 1)) == 0;
  return powerOfTwo && p.n <= kMaxN && p.r >= 1 && p.r <= kMaxR && p.p >= 1 && p.p <= kMaxP;
}

/// Bounds the number of scrypt computations running at once (see
/// PasswordHasher::maxConcurrentHashes).
class HashSlots {
 public:
  static HashSlots& instance() {
    static HashSlots slots;
    return slots;
  }
  unsigned limit() {
    std::lock_guard<std::mutex> lock(mutex_);
    return limit_;
  }
  void setLimit(unsigned n) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      limit_ = std::max(1u, n);
    }
    freed_.notify_all();
  }
  void acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    freed_.wait(lock, [this] { return running_ < limit_; });
    ++running_;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --running_;
    }
    freed_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable freed_;
  unsigned limit_ = std::max(2u, std::thread::hardware_concurrency());
  unsigned running_ = 0;
};

std::string derive(std::string_view password, std::string_view salt,
                   const PasswordHasher::Params& p) {
  struct Slot {
    Slot() { HashSlots::instance().acquire(); }
    ~Slot() { HashSlots::instance().release(); }
  } slot;
  std::string out(kHashBytes, '\0');
  // scrypt needs 128 × N × r bytes (plus p × r × 128); allow that and a margin.
  std::uint64_t maxmem = 128 * p.n * p.r + 128 * p.r * p.p + (1u << 20);
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), p.n, p.r,
                     p.p, maxmem, reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1)
    throw std::runtime_error("password hashing failed (EVP_PBE_scrypt)");
  return out;
}

bool parseNumber(std::string_view s, std::uint64_t& v) {
  if (s.empty() || s.size() > 10) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

std::string encode(const PasswordHasher::Params& p, std::string_view salt, std::string_view hash) {
  return "scrypt$" + std::to_string(p.n) + "$" + std::to_string(p.r) + "$" + std::to_string(p.p) +
         "$" + secrets::base64(salt) + "$" + secrets::base64(hash);
}

}  // namespace

PasswordHasher::PasswordHasher(Params params) : params_(params) {
  if (!validParams(params_)) throw std::invalid_argument("invalid scrypt parameters");
}

std::string PasswordHasher::hash(std::string_view password) const {
  std::string salt = secrets::randomBytes(kSaltBytes);
  return encode(params_, salt, derive(password, salt, params_));
}

bool PasswordHasher::verify(std::string_view password, std::string_view encoded) const {
  auto parts = split(encoded, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  Params p;
  if (!parseNumber(parts[1], p.n) || !parseNumber(parts[2], p.r) || !parseNumber(parts[3], p.p) ||
      !validParams(p))
    return false;
  std::string salt, expected;
  try {
    salt = secrets::unbase64(parts[4]);
    expected = secrets::unbase64(parts[5]);
  } catch (const std::invalid_argument&) {
    return false;
  }
  if (salt.size() < kSaltBytes || expected.size() != kHashBytes) return false;
  return secrets::constantTimeEquals(derive(password, salt, p), expected);
}

unsigned PasswordHasher::maxConcurrentHashes() {
  return HashSlots::instance().limit();
}

void PasswordHasher::setMaxConcurrentHashes(unsigned n) {
  HashSlots::instance().setLimit(n);
}

void PasswordHasher::burn(std::string_view password) const {
  // The salt is random: the result is thrown away, only the time counts.
  std::string salt = secrets::randomBytes(kSaltBytes);
  (void)derive(password, salt, params_);
}

}  // namespace strata
