#pragma once

#include <map>
#include <string>
#include <vector>

#include "auth/AccessGate.h"

namespace strata {

struct Exchange;

/// A route's handler: turns the exchange into a call of a use case and its
/// result back into a response. Throws strata::Error to refuse.
using HandlerFn = void (*)(Exchange&);

/// What a route needs from its caller, checked before its handler runs.
struct Access {
  Requirement requirement = Requirement::Open;
  /// Pull routes: the parameter holding the repository name.
  const char* nameParam = nullptr;
  /// The parameter is "name[:tag]" rather than a bare name.
  bool nameHasTag = false;

  static Access anyone() { return {}; }
  /// Anyone, but credentials sent are checked and the handler knows the caller.
  static Access identify() { return {Requirement::Identify}; }
  static Access registry() { return {Requirement::Registry}; }
  static Access pull(const char* param, bool withTag = false) {
    return {Requirement::Pull, param, withTag};
  }
  static Access catalog() { return {Requirement::Catalog}; }
  static Access admin() { return {Requirement::Admin}; }
};

/// One row of the route table.
///
/// A pattern is a path of '/'-separated segments: a literal, `{p}` (one
/// non-empty segment), `{p...}` (one or more segments, joined with '/', not
/// empty as a whole), or last a `{p*}` (any rest, possibly none) or `{p+}`
/// (a rest that is not empty). Segments are
/// matched after percent-decoding each one, so an encoded '/' stays inside
/// its segment. A `{p...}` is matched as long as the rest allows: route
/// keywords are found from the end, as repository names may contain them.
struct Route {
  std::vector<std::string> methods;  ///< GET routes answer HEAD too; "*" is any method
  std::string pattern;
  const char* name;  ///< for logs and tests, e.g. "manifest"
  HandlerFn handler;
  Access access;
  /// Answers only paths no other route has (the 404 of an area, with the
  /// area's access rule).
  bool fallback = false;
};

using RouteParams = std::map<std::string, std::string>;

}  // namespace strata
