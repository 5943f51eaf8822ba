#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace Poco::Net {
class HTTPServerResponse;
}

namespace strata {

/// `n` and `last` of a list request. n is capped at 1000.
struct Page {
  std::size_t n = 1000;
  bool limited = false;  ///< n was given: a Link header names the next page
  std::string last;
};

/// Throws Error(InvalidPagination) for an `n` that is not a number.
Page parsePage(const std::vector<std::pair<std::string, std::string>>& query);

/// The Link header of a paginated list whose page ended at `last`.
void setNextLink(Poco::Net::HTTPServerResponse& response, const std::string& base, std::size_t n,
                 const std::string& last);

}  // namespace strata
