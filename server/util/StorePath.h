#pragma once

#include <string>

namespace strata {

/// True for "/nix/store/<32 base32 chars>-<name>" with a safe name: what Nix
/// prints and a package set declares is checked with it before use.
bool isStorePath(const std::string& path);

}  // namespace strata
