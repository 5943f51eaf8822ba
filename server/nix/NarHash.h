#pragma once

#include <string>

namespace strata {

/// A NAR hash as Nix prints it, in the one form Strata keeps:
/// "sha256:<64 lowercase hex digits>". Nix prints SRI ("sha256-<base64>") from
/// 2.4 on and "sha256:<52 nix-base32 digits>" before; hex is accepted too.
/// Throws std::invalid_argument for anything else (Nix output is input too).
std::string normalizeNarHash(const std::string& hash);

}  // namespace strata
