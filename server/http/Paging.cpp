#include "http/Paging.h"

#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <algorithm>

#include "util/Error.h"

namespace strata {

Page parsePage(const std::vector<std::pair<std::string, std::string>>& query) {
  Page page;
  bool seenN = false, seenLast = false;
  for (const auto& [key, text] : query) {
    if (key == "n" && !seenN) {
      seenN = true;
      if (text.empty() || text.size() > 9 ||
          text.find_first_not_of("0123456789") != std::string::npos)
        throw Error(ErrorKind::InvalidPagination, "n must be a non-negative integer");
      page.n = std::min<std::size_t>(std::stoul(text), 1000);
      page.limited = true;
    } else if (key == "last" && !seenLast) {
      seenLast = true;
      page.last = text;
    }
  }
  return page;
}

void setNextLink(Poco::Net::HTTPServerResponse& response, const std::string& base, std::size_t n,
                 const std::string& last) {
  std::string encoded;
  Poco::URI::encode(last, "&=?#+/ ", encoded);
  response.set("Link",
               "<" + base + "?n=" + std::to_string(n) + "&last=" + encoded + ">; rel=\"next\"");
}

}  // namespace strata
