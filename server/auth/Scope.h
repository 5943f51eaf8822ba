#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata {

/// One entry of a Docker token scope, "repository:<name>:pull,push" or
/// "registry:catalog:*" (https://distribution.github.io/distribution/spec/auth/scope/).
struct Scope {
  std::string type;                  ///< "repository", "registry", ...; a "(class)" suffix dropped
  std::string name;                  ///< may itself contain ':' (host:port/name)
  std::vector<std::string> actions;  ///< as requested, de-duplicated, in order

  bool operator==(const Scope&) const = default;
  bool allows(std::string_view action) const;
};

/// Parses the values of every `scope` query parameter; each value may hold
/// several scopes separated by spaces. Throws strata::Error(BadRequest) naming
/// the first malformed one. Scopes with the same type and name are merged.
std::vector<Scope> parseScopes(const std::vector<std::string>& values);

/// Parses one "type:name:actions" scope. Throws strata::Error(BadRequest).
Scope parseScope(std::string_view text);

/// "type:name:a,b": the form used in WWW-Authenticate challenges.
std::string formatScope(const Scope& scope);

}  // namespace strata
