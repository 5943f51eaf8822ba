#pragma once

#include <cstdint>

namespace strata::sdk {

/// Bumped whenever a type or a virtual function of the SDK changes shape. The
/// host refuses a plugin built against any other value: the SDK passes C++
/// objects across the boundary, so a mismatch would be undefined behaviour, not
/// an error.
inline constexpr std::uint32_t kAbiVersion = 1;

}  // namespace strata::sdk
