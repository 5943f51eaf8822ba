#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace strata {

struct Config;
class BuildService;
class BlobCollector;
class AuthAdmin;
class SourceBrowser;

struct AdminContext {
  const Config& config;
  BuildService& builds;
  BlobCollector& collector;
  AuthAdmin* auth = nullptr;         ///< user, team, grant, revoke, token, audit verbs
  SourceBrowser* browser = nullptr;  ///< refs, search verbs
};

/// Runs one admin verb. Returns the exit status; throws std::exception with a
/// one-line message on failure.
int runAdmin(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out);

}  // namespace strata
