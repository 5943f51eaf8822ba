#pragma once

#include <string>
#include <vector>

namespace strata {

/// The command line: `strata serve --config FILE [--set k=v]...`,
/// `strata admin --config FILE VERB ARGS...`, `strata --version`.
struct Arguments {
  enum class Command { Serve, Admin, Version, Help };
  Command command = Command::Help;
  std::string configFile;
  std::vector<std::string> overrides;
  std::vector<std::string> verb;  ///< admin: the verb and its arguments
};

/// Throws std::invalid_argument with a one-line message on bad usage.
Arguments parseArguments(const std::vector<std::string>& args);

extern const char* const kUsage;

}  // namespace strata
