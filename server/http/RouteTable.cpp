#include "http/RouteTable.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <stdexcept>

#include "util/Error.h"

namespace strata {
namespace {

struct Part {
  enum class Kind { Literal, One, Many, Rest };
  Kind kind;
  std::string text;            ///< the literal, or the parameter's name
  bool nonEmpty = false;       ///< Rest: `{p+}`, at least one segment
  std::size_t fixedAfter = 0;  ///< Literal and One parts after this one
  bool restAfter = false;      ///< a Rest part comes after this one
};

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  if (path.empty()) return out;
  std::size_t start = path.front() == '/' ? 1 : 0;
  while (true) {
    auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string::npos ? slash : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

std::vector<Part> compile(const std::string& pattern) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  std::vector<Part> parts;
  bool many = false;
  for (const auto& seg : splitPath(pattern)) {
    if (!parts.empty() && parts.back().kind == Part::Kind::Rest)
      throw std::invalid_argument("{p*} and {p+} must end the pattern: " + pattern);
    if (seg.size() < 3 || seg.front() != '{' || seg.back() != '}') {
      if (seg.find_first_of("{}") != std::string::npos)
        throw std::invalid_argument("malformed segment '" + seg + "' in " + pattern);
      parts.push_back({Part::Kind::Literal, seg});
      continue;
    }
    std::string name = seg.substr(1, seg.size() - 2);
    Part part{Part::Kind::One, name};
    if (name.size() > 3 && name.compare(name.size() - 3, 3, "...") == 0) {
      if (many) throw std::invalid_argument("two {p...} in " + pattern);
      many = true;
      part = {Part::Kind::Many, name.substr(0, name.size() - 3)};
    } else if (name.size() > 1 && (name.back() == '*' || name.back() == '+')) {
      part = {Part::Kind::Rest, name.substr(0, name.size() - 1), name.back() == '+'};
    }
    parts.push_back(part);
  }
  for (std::size_t i = parts.size(); i-- > 0;) {
    if (i + 1 == parts.size()) continue;
    const Part& next = parts[i + 1];
    parts[i].restAfter = next.restAfter || next.kind == Part::Kind::Rest;
    parts[i].fixedAfter =
        next.fixedAfter +
        (next.kind == Part::Kind::Literal || next.kind == Part::Kind::One ? 1 : 0);
  }
  return parts;
}

std::string joined(const std::vector<std::string>& segs, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) out += '/';
    out += segs[i];
  }
  return out;
}

/// Matches parts[pi…] against segs[si…]. Parameters of failed attempts may
/// stay in `params`: a later success sets every parameter of the pattern.
/// Linear in the number of segments: a {p...} part is joined only once the
/// parts after it matched, and with no rest after it has one length only.
bool matchFrom(const std::vector<Part>& parts, std::size_t pi, const std::vector<std::string>& segs,
               std::size_t si, RouteParams& params) {
  if (pi == parts.size()) return si == segs.size();
  const Part& p = parts[pi];
  switch (p.kind) {
    case Part::Kind::Literal:
      return si < segs.size() && segs[si] == p.text &&
             matchFrom(parts, pi + 1, segs, si + 1, params);
    case Part::Kind::One:
      if (si >= segs.size() || segs[si].empty()) return false;
      params[p.text] = segs[si];
      return matchFrom(parts, pi + 1, segs, si + 1, params);
    case Part::Kind::Rest: {
      std::string value = joined(segs, si, segs.size());
      if (p.nonEmpty && value.empty()) return false;
      params[p.text] = std::move(value);
      return true;
    }
    case Part::Kind::Many: {
      if (si + p.fixedAfter >= segs.size()) return false;  // not one segment left for it
      std::size_t longest = segs.size() - si - p.fixedAfter;
      std::size_t shortest = p.restAfter ? 1 : longest;
      // Longest first: the route keywords after it are found from the end.
      for (std::size_t len = longest; len >= shortest; --len) {
        if (!matchFrom(parts, pi + 1, segs, si + len, params)) continue;
        std::string value = joined(segs, si, si + len);
        if (value.empty()) continue;
        params[p.text] = std::move(value);
        return true;
      }
      return false;
    }
  }
  return false;
}

bool methodAllowed(const Route& route, const std::string& method) {
  for (const auto& m : route.methods)
    if (m == method || m == "*" || (method == "HEAD" && m == "GET")) return true;
  return false;
}

}  // namespace

struct RouteTable::Compiled {
  std::vector<Part> parts;
};

void checkRoutePattern(const std::string& pattern) {
  compile(pattern);
}

namespace {

/// Percent-decodes `raw`; most segments have nothing to decode.
std::string decoded(const std::string& raw) {
  if (raw.find('%') == std::string::npos) return raw;
  std::string out;
  Poco::URI::decode(raw, out);
  return out;
}

}  // namespace

RequestTarget parseRequestTarget(const std::string& uri) {
  // The raw path and query; nothing is decoded before it is split.
  std::size_t pathStart = 0;
  if (uri.empty() || uri.front() != '/') {
    auto scheme = uri.find("://");
    if (scheme == std::string::npos) throw Error(ErrorKind::BadRequest, "malformed request URI");
    // The authority ends at the first '/', '?' or '#'; only a '/' starts a path.
    pathStart = scheme + 3;
    while (pathStart < uri.size() && uri[pathStart] != '/' && uri[pathStart] != '?' &&
           uri[pathStart] != '#')
      ++pathStart;
  }
  std::size_t pathEnd = pathStart;
  while (pathEnd < uri.size() && uri[pathEnd] != '?' && uri[pathEnd] != '#') ++pathEnd;
  RequestTarget target;
  target.path = pathEnd > pathStart && uri[pathStart] == '/'
                    ? uri.substr(pathStart, pathEnd - pathStart)
                    : std::string("/");
  std::string rawQuery;
  if (pathEnd < uri.size() && uri[pathEnd] == '?') {
    std::size_t queryEnd = std::min(uri.find('#', pathEnd), uri.size());
    rawQuery = uri.substr(pathEnd + 1, queryEnd - pathEnd - 1);
  }
  try {
    for (const auto& raw : splitPath(target.path)) target.segments.push_back(decoded(raw));
    // key=value pairs joined by '&'; a '+' stays a '+' (Poco did the same).
    std::size_t at = 0;
    while (at < rawQuery.size()) {
      std::size_t amp = std::min(rawQuery.find('&', at), rawQuery.size());
      std::string pair = rawQuery.substr(at, amp - at);
      at = amp + 1;
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      target.query.emplace_back(decoded(pair.substr(0, eq)),
                                eq == std::string::npos ? "" : decoded(pair.substr(eq + 1)));
    }
  } catch (const Poco::Exception&) {
    throw Error(ErrorKind::BadRequest, "malformed request URI");
  }
  return target;
}

RouteTable::RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {
  for (const auto& r : routes_)
    compiled_.push_back(std::make_unique<Compiled>(Compiled{compile(r.pattern)}));
}

RouteTable::~RouteTable() = default;

RouteTable::Match RouteTable::find(const std::string& method,
                                   const std::vector<std::string>& segments) const {
  Match wrongMethod;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].fallback) continue;
    RouteParams params;
    if (!matchFrom(compiled_[i]->parts, 0, segments, 0, params)) continue;
    if (methodAllowed(routes_[i], method))
      return Match{Match::Result::Found, &routes_[i], std::move(params)};
    if (wrongMethod.route == nullptr)
      wrongMethod = Match{Match::Result::MethodNotAllowed, &routes_[i], std::move(params)};
  }
  if (wrongMethod.route != nullptr) return wrongMethod;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    RouteParams params;
    if (routes_[i].fallback && matchFrom(compiled_[i]->parts, 0, segments, 0, params))
      return Match{Match::Result::Found, &routes_[i], std::move(params)};
  }
  return Match{};
}

}  // namespace strata
