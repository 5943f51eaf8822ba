#pragma once

#include <string>

#include "util/Error.h"

namespace strata {

/// Error(Unauthorized) with the challenge that tells the client how to log
/// in: the value of the WWW-Authenticate header.
class AuthenticationRequired : public Error {
 public:
  AuthenticationRequired(std::string message, std::string challenge)
      : Error(ErrorKind::Unauthorized, std::move(message)), challenge_(std::move(challenge)) {}
  const std::string& challenge() const { return challenge_; }

 private:
  std::string challenge_;
};

}  // namespace strata
