#pragma once

#include <cstdint>

namespace strata::sdk {

/// Bumped whenever a type or a virtual function of the SDK changes shape. The
/// host refuses a plugin built against any other value: the SDK passes C++
/// objects across the boundary, so a mismatch would be undefined behaviour, not
/// an error. Version 2 added StorePath::narHash.
inline constexpr std::uint32_t kAbiVersion = 2;

}  // namespace strata::sdk
