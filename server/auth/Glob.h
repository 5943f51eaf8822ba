#pragma once

#include <string>
#include <string_view>

namespace strata {

/// Matches a package attribute path against a grant's glob with fnmatch(3)
/// rules ('*', '?', '[...]'), ignoring case: image names are lowercase while
/// grants are written with the real attribute names (python3Packages.*).
/// '*' also matches '.', so "python3Packages.*" covers nested sets too.
bool globMatch(const std::string& pattern, const std::string& text);

/// A glob we accept in a grant: 1–256 printable ASCII characters without
/// spaces, quotes or backslashes. Returns the reason when it is not.
std::string invalidGlobReason(std::string_view glob);

}  // namespace strata
