#include "cli/AdminCommands.h"

#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>

#include "auth/AuthAdmin.h"
#include "build/BuildService.h"
#include "cli/AuthCommands.h"
#include "config/Config.h"
#include "image/ImageName.h"
#include "meta/ImageRepository.h"
#include "storage/BlobStore.h"
#include "util/Error.h"

namespace strata {
namespace {

void expectArgs(const std::vector<std::string>& verb, std::size_t n, const std::string& usage) {
  if (verb.size() != n + 1) throw std::invalid_argument("usage: strata admin " + usage);
}

int build(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out) {
  expectArgs(verb, 1, "build IMAGE[:TAG]");
  std::string image = verb[1], tag = "latest";
  auto colon = image.rfind(':');
  if (colon != std::string::npos) {
    tag = image.substr(colon + 1);
    image = image.substr(0, colon);
  }
  if (!isValidTag(tag)) throw std::invalid_argument("invalid tag '" + tag + "'");
  try {
    ImageRecord rec = ctx.builds.imageFor(parseImageName(image, ctx.config.sources), tag);
    out << image << ":" << tag << " revision " << rec.revision << "\n"
        << "  oci    " << rec.ociDigest << "\n"
        << "  docker " << rec.dockerDigest << "\n";
  } catch (const Error& e) {
    std::string msg = e.what();
    if (!e.detail().empty()) msg += "\n" + e.detail();
    throw std::runtime_error(msg);
  }
  return 0;
}

int gc(AdminContext& ctx, const std::vector<std::string>& verb, std::ostream& out) {
  expectArgs(verb, 0, "gc");
  std::set<std::string> keep;
  for (const auto& d : ctx.images.referencedBlobs()) keep.insert(d);
  std::size_t removed = 0;
  std::uint64_t bytes = 0;
  namespace fs = std::filesystem;
  for (const auto& entry : fs::recursive_directory_iterator(ctx.blobs.root() + "/sha256")) {
    if (!entry.is_regular_file()) continue;
    std::string hex = entry.path().filename().string();
    if (!isSha256Hex(hex) || keep.count("sha256:" + hex)) continue;
    bytes += entry.file_size();
    ctx.blobs.remove(Digest::fromHex(hex));
    ++removed;
  }
  out << "removed " << removed << " unreferenced blobs (" << bytes << " bytes)\n";
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
