#include "cli/AdminCommands.h"

#include <ctime>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "auth/AuthAdmin.h"
#include "builder/BuildService.h"
#include "catalog/SourceBrowser.h"
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

SourceBrowser& browserOf(AdminContext& ctx) {
  if (!ctx.browser) throw std::logic_error("the admin command has no source browser");
  return *ctx.browser;
}

int refs(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out) {
  expectArgs(verb, 1, "refs SOURCE");
  RefsAnswer answer = browserOf(ctx).refs(Caller{}, verb[1]);
  // NAME KIND REVISION, marked when the name cannot be a registry tag.
  for (const auto& r : answer.refs)
    out << r.name << " " << r.kind << " " << r.revision << (r.tag ? "" : " (not a tag)") << "\n";
  return 0;
}

int search(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out) {
  const std::string usage = "search SOURCE QUERY [--ref REF] [--n N]";
  PackageQuery query;
  std::vector<std::string> positional;
  for (std::size_t i = 1; i < verb.size(); ++i) {
    if ((verb[i] == "--ref" || verb[i] == "--n") && i + 1 < verb.size()) {
      std::string value = verb[++i];
      if (verb[i - 1] == "--ref") {
        query.ref = value;
      } else {
        if (value.empty() || value.size() > 6 ||
            value.find_first_not_of("0123456789") != std::string::npos)
          throw std::invalid_argument("--n needs a number (at most " +
                                      std::to_string(SourceBrowser::kMaxResults) + ")");
        query.n = std::stoul(value);
      }
    } else if (verb[i].rfind("--", 0) == 0) {
      throw std::invalid_argument("usage: strata admin " + usage);
    } else {
      positional.push_back(verb[i]);
    }
  }
  if (positional.size() != 2) throw std::invalid_argument("usage: strata admin " + usage);
  query.source = positional[0];
  query.q = positional[1];
  PackagesAnswer answer = browserOf(ctx).packages(query);
  // ATTR VERSION DESCRIPTION, one package a line.
  for (const auto& p : answer.packages)
    out << p.attr << " " << (p.version.empty() ? "-" : p.version)
        << (p.description.empty() ? "" : " " + p.description) << "\n";
  if (answer.truncated)
    out << "(more packages match: narrow the query or raise --n up to "
        << SourceBrowser::kMaxResults << ")\n";
  return 0;
}

int images(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out) {
  const std::string usage = "images SOURCE [--ref REF]";
  std::string ref = "latest";
  std::vector<std::string> positional;
  for (std::size_t i = 1; i < verb.size(); ++i) {
    if (verb[i] == "--ref" && i + 1 < verb.size())
      ref = verb[++i];
    else if (verb[i].rfind("--", 0) == 0)
      throw std::invalid_argument("usage: strata admin " + usage);
    else
      positional.push_back(verb[i]);
  }
  if (positional.size() != 1) throw std::invalid_argument("usage: strata admin " + usage);
  ImagesAnswer answer = browserOf(ctx).images(Caller{}, positional[0], ref);
  // NAME ENTRYPOINT USER CONTENTS, one image a line; then the broken ones.
  for (const auto& d : answer.images) {
    std::string entrypoint;
    if (d.config.entrypoint)
      for (const auto& a : *d.config.entrypoint) entrypoint += (entrypoint.empty() ? "" : " ") + a;
    std::string contents;
    for (const auto& n : d.packageNames()) contents += (contents.empty() ? "" : ",") + n;
    out << d.name << " entrypoint=" << (entrypoint.empty() ? "-" : entrypoint)
        << " user=" << (d.user ? d.user->name + ":" + std::to_string(d.user->uid) : "-")
        << " contents=" << (contents.empty() ? "-" : contents) << "\n";
  }
  for (const auto& [name, error] : answer.invalid) out << name << " INVALID: " << error << "\n";
  return 0;
}

}  // namespace

int runAdmin(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out) {
  const std::string& v = verb.front();
  if (v == "build") return build(ctx, verb, out);
  if (v == "gc") return gc(ctx, verb, out);
  if (v == "refs") return refs(ctx, verb, out);
  if (v == "search") return search(ctx, verb, out);
  if (v == "images") return images(ctx, verb, out);
  if (isAuthVerb(v) && ctx.auth) return runAuthCommand(*ctx.auth, verb, std::cin, out);
  throw std::invalid_argument("unknown admin verb '" + AuthAdmin::shown(v) +
                              "' (known: migrate, build, gc, refs, search, images, user, team, "
                              "grant, "
                              "revoke, token, audit)");
}

}  // namespace strata
