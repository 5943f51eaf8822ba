#include "cli/Arguments.h"

#include <stdexcept>

namespace strata {

const char* const kUsage =
    "usage: strata serve --config FILE [--set key=value]...\n"
    "       strata admin --config FILE [--set key=value]... VERB [ARGS...]\n"
    "       strata --version\n"
    "admin verbs: migrate | build IMAGE[:TAG] | gc\n"
    "             refs SOURCE | search SOURCE QUERY [--ref REF] [--n N]\n"
    "             images SOURCE [--ref REF]\n"
    "             user add NAME (password on stdin) | user list\n"
    "             team add NAME | team add-member TEAM USER | team remove-member TEAM USER |\n"
    "             team list\n"
    "             grant TEAM SOURCE PACKAGE_GLOB ACTION | revoke TEAM SOURCE PACKAGE_GLOB ACTION "
    "|\n"
    "             grant list   (ACTION: pull or admin; SOURCE: a source name or '*')\n"
    "             token create USER NAME [--expires-days N] | token revoke USER NAME |\n"
    "             token list USER\n"
    "             audit [N]\n";

Arguments parseArguments(const std::vector<std::string>& args) {
  Arguments a;
  if (args.empty()) throw std::invalid_argument("no command given (try 'strata --help')");
  const std::string& cmd = args[0];
  if (cmd == "--version" || cmd == "version") {
    a.command = Arguments::Command::Version;
    return a;
  }
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    a.command = Arguments::Command::Help;
    return a;
  }
  if (cmd == "serve")
    a.command = Arguments::Command::Serve;
  else if (cmd == "admin")
    a.command = Arguments::Command::Admin;
  else
    throw std::invalid_argument("unknown command '" + cmd + "' (try 'strata --help')");

  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const std::string& flag) -> std::string {
      auto eq = arg.find('=');
      if (eq != std::string::npos) return arg.substr(eq + 1);
      if (i + 1 >= args.size()) throw std::invalid_argument(flag + " needs a value");
      return args[++i];
    };
    if (!a.verb.empty()) {
      a.verb.push_back(arg);  // everything after the verb belongs to it
    } else if (arg == "--config" || arg.rfind("--config=", 0) == 0) {
      a.configFile = value("--config");
    } else if (arg == "--set" || arg.rfind("--set=", 0) == 0) {
      a.overrides.push_back(value("--set"));
    } else if (arg.rfind("-", 0) == 0) {
      throw std::invalid_argument("unknown option '" + arg + "'");
    } else if (a.command == Arguments::Command::Admin) {
      a.verb.push_back(arg);
    } else {
      throw std::invalid_argument("unexpected argument '" + arg + "'");
    }
  }
  if (a.configFile.empty()) throw std::invalid_argument(cmd + " needs --config FILE");
  if (a.command == Arguments::Command::Admin && a.verb.empty())
    throw std::invalid_argument(
        "admin needs a verb (migrate, build, gc, refs, search, images, user, team, grant, revoke, "
        "token, "
        "audit)");
  return a;
}

}  // namespace strata
