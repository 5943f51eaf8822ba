#pragma once

#include <string>

#include "util/Error.h"

namespace strata {

/// The HTTP status and distribution error code for an error kind.
struct HttpError {
  int status;
  const char* code;
};

HttpError httpErrorFor(ErrorKind kind);

/// {"errors":[{"code","message","detail"}]}; detail is omitted when empty.
std::string errorBody(const std::string& code, const std::string& message,
                      const std::string& detail);

}  // namespace strata
