#pragma once

#include <string>
#include <vector>

namespace strata {

/// What a package's `meta` says, as far as Strata shows it (the SBOM). The
/// package set is untrusted: strings are bounded, control characters are
/// dropped, a homepage is kept only when it is an http(s) URL.
struct PackageMeta {
  std::string description;            ///< at most 1000 bytes
  std::string homepage;               ///< empty unless a well-formed http(s) URL
  std::vector<std::string> licenses;  ///< SPDX ids or names; at most 16
};

}  // namespace strata
