#include "nix/NarHash.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace strata {
namespace {

// One NAR hash in the three forms Nix prints, from `nix path-info --json` and
// `nix hash to-base16` / `to-base32` of Nix 2.8.
const std::string kHex = "sha256:56169774f22e8cfe2ca8fd27ebd246660859933e0313696c199243f03b0ec6e5";
const std::string kSri = "sha256-VhaXdPIujP4sqP0n69JGZghZkz4DE2lsGZJD8DsOxuU=";
const std::string kBase32 = "sha256:1rf61qxz0hwj35n6j4q37s9mj2368v9fn9zxm0ngx31fy9s9f5jn";

TEST(NarHashTest, EveryFormNixPrintsGivesTheSameHex) {
  EXPECT_EQ(normalizeNarHash(kSri), kHex);
  EXPECT_EQ(normalizeNarHash(kBase32), kHex);
  EXPECT_EQ(normalizeNarHash(kHex), kHex);
}

TEST(NarHashTest, AnythingElseIsRefused) {
  for (const std::string bad :
       {"", "sha256", "sha256:", "sha256-", "md5:56169774f22e8cfe2ca8fd27ebd24666",
        "sha512-VhaXdPIujP4sqP0n69JGZghZkz4DE2lsGZJD8DsOxuU=",
        "sha256-VhaXdPIujP4sqP0n69JGZghZkz4DE2lsGZJD8DsOxu==",          // 31 bytes
        "sha256-VhaXdPIujP4sqP0n69JGZghZkz4DE2lsGZJD8DsOxuU",           // no padding
        "sha256-VhaXdPIujP4sqP0n69JGZghZkz4DE2lsGZJD8Ds\"xuU=",         // not base64
        "sha256:1rf61qxz0hwj35n6j4q37s9mj2368v9fn9zxm0ngx31fy9s9f5je",  // 'e' is no digit
        "sha256:1rf61qxz0hwj35n6j4q37s9mj2368v9fn9zxm0ngx31fy9s9f5j",   // 51 digits
        "sha256:zrf61qxz0hwj35n6j4q37s9mj2368v9fn9zxm0ngx31fy9s9f5jn",  // bits past 256
        "sha256:56169774F22E8CFE2CA8FD27EBD246660859933E0313696C199243F03B0EC6E5"})
    EXPECT_THROW(normalizeNarHash(bad), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace strata
