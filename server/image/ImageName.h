#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/Config.h"

namespace strata {

/// What an image name asks for, after routing it to a source.
struct ImageRequest {
  std::string name;                   ///< the repository name as requested
  std::string source;                 ///< name of the source serving it
  std::vector<std::string> packages;  ///< attribute paths: components, meta-packages expanded,
                                      ///< plus the source's alwaysInclude; sorted, unique
  std::string arch = "amd64";         ///< "amd64" or "arm64": the first of `platforms`
  /// The architectures to build: the source's platforms, or the one the name
  /// selects (`arm64`). More than one: the image is an index of one image each.
  std::vector<std::string> platforms{"amd64"};

  bool isIndex() const { return platforms.size() > 1; }
  /// The same request for one of its platforms.
  ImageRequest forPlatform(const std::string& platformArch) const;
};

/// Repository name grammar of the distribution spec: lowercase components
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` separated by '/', at most 255 bytes.
bool isValidRepositoryName(std::string_view name);

/// Tag grammar of the distribution spec: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
bool isValidTag(std::string_view tag);

/// The source whose prefix is the longest one matching `name` component-wise;
/// the source with prefix "" matches everything. Null when none matches.
const SourceConfig* routeToSource(std::string_view name, const std::vector<SourceConfig>& sources);

/// "name[:tag]" as pins, builds ahead and `strata admin build` take it.
struct NameAndTag {
  std::string name;
  std::string tag;  ///< after the last ':'; "latest" when there is none
};
/// Splits without checking either part (isValidRepositoryName, isValidTag do).
NameAndTag splitNameAndTag(std::string_view reference);

/// Parses and routes an image name. Throws strata::Error (InvalidName,
/// UnknownName) with a message naming the problem.
ImageRequest parseImageName(std::string_view name, const std::vector<SourceConfig>& sources);

}  // namespace strata
