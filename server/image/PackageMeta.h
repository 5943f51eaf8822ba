#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "util/MemoryBytes.h"

namespace strata {

/// What a package's `meta` says, as far as Strata shows it (the SBOM). The
/// package set is untrusted: strings are bounded, control characters are
/// dropped, a homepage is kept only when it is an http(s) URL.
struct PackageMeta {
  std::string description;            ///< at most 1000 bytes
  std::string homepage;               ///< empty unless a well-formed http(s) URL
  std::vector<std::string> licenses;  ///< SPDX ids or names; at most 16
};

/// Reads a package's `meta` as Nix printed it (strata.nix's metaOf):
/// anything of the wrong shape is left out rather than refused.
inline std::size_t heapBytes(const PackageMeta& m) {
  return heapBytes(m.description) + heapBytes(m.homepage) + heapBytes(m.licenses);
}

PackageMeta parsePackageMeta(const Poco::JSON::Object::Ptr& meta);

/// `text` cut to whole UTF-8 characters within `limit` bytes, without
/// control characters (newlines and tabs become spaces) or invalid sequences.
std::string printableText(const std::string& text, std::size_t limit);

}  // namespace strata
