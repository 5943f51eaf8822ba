#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace strata {

class AuthAdmin;

/// True for the verbs runAuthCommand handles: user, team, grant, revoke,
/// token, audit.
bool isAuthVerb(const std::string& verb);

/// Runs one auth admin verb (`strata admin … user add NAME`, …). Reads the
/// password of `user add` from `in` (one line), writes results to `out`
/// (`token create` writes the secret and nothing else). Returns the exit
/// status; throws std::exception with a one-line message on failure.
int runAuthCommand(AuthAdmin& admin, const std::vector<std::string>& verb, std::istream& in,
                   std::ostream& out);

/// "cli:<login name of the effective user>", the actor in the audit log.
std::string cliActorName();

}  // namespace strata
