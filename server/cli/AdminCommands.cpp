#include "cli/AdminCommands.h"

#include <ctime>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "auth/AuthAdmin.h"
#include "builder/BuildService.h"
#include "cli/AuthCommands.h"
#include "config/Config.h"
#include "image/ImageName.h"
#include "meta/ImageRepository.h"
#include "storage/GarbageCollector.h"
#include "util/Error.h"

namespace strata {
namespace {

void expectArgs(const std::vector<std::string>& verb, std::size_t n, const std::string& usage) {
  if (verb.size() != n + 1) throw std::invalid_argument("usage: strata admin " + usage);
}

int build(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out) {
  expectArgs(verb, 1, "build IMAGE[:TAG]");
  auto [image, tag] = splitNameAndTag(verb[1]);
  if (!isValidTag(tag)) throw std::invalid_argument("invalid tag '" + tag + "'");
  try {
    ImageRecord rec = ctx.builds.imageFor(parseImageName(image, ctx.config.sources), tag);
    out << image << ":" << tag << " revision " << rec.revision << "\n"
        << "  oci    " << rec.ociDigest << "\n"
        << "  docker " << rec.dockerDigest << "\n";
  } catch (const Error& e) {
    // One line on stderr (the CLI contract): the message, and for a failed
    // build the last line of Nix's log; the whole log is in the server's
    // build log (GET /api/v1/builds) or a rerun of nix-build.
    std::string msg = e.what();
    std::string detail = e.detail();
    std::vector<std::string> lines;
    std::stringstream ss(detail);
    for (std::string line; std::getline(ss, line);)
      if (!line.empty()) lines.push_back(line);
    // Nix ends with "error: builder for … failed": the line before says why.
    if (lines.size() > 1 && lines.back().rfind("error: builder for", 0) == 0) lines.pop_back();
    if (!lines.empty()) msg += ": " + lines.back();
    throw std::runtime_error(msg);
  }
  return 0;
}

int gc(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out) {
  expectArgs(verb, 0, "gc");
  std::optional<GarbageCollection> done = ctx.collector.collect();
  if (!done) throw std::runtime_error("another replica is collecting garbage now; try again later");
  out << "removed " << done->removed << " unreferenced blobs (" << done->bytes << " bytes)\n";
  return 0;
}

}  // namespace

int runAdmin(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out) {
  const std::string& v = verb.front();
  if (v == "build") return build(ctx, verb, out);
  if (v == "gc") return gc(ctx, verb, out);
  if (isAuthVerb(v) && ctx.auth) return runAuthCommand(*ctx.auth, verb, std::cin, out);
  throw std::invalid_argument("unknown admin verb '" + AuthAdmin::shown(v) +
                              "' (known: migrate, build, gc, user, team, grant, revoke, token, "
                              "audit)");
}

}  // namespace strata
