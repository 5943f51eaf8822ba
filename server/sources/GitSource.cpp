#include "sources/GitSource.h"

#include <git2.h>
#include <unistd.h>

#include <Poco/Logger.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>

#include "util/Error.h"

namespace strata {
namespace fs = std::filesystem;

namespace {

constexpr int kFetchTimeoutSeconds = 300;

std::string lastGitError() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

struct RepoCloser {
  void operator()(git_repository* r) const { git_repository_free(r); }
};
using RepoPtr = std::unique_ptr<git_repository, RepoCloser>;

RepoPtr openMirror(const std::string& path) {
  git_repository* repo = nullptr;
  if (git_repository_open_bare(&repo, path.c_str()) != 0)
    throw Error(ErrorKind::Internal, "cannot open git mirror", lastGitError());
  return RepoPtr(repo);
}

bool isHex40(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

/// What the libgit2 callbacks see during one fetch.
struct FetchState {
  const Credentials* credentials;
  std::chrono::steady_clock::time_point deadline;
  int credentialAttempts = 0;
};

int credentialCallback(git_credential** out, const char* /*url*/, const char* userFromUrl,
                       unsigned int allowed, void* payload) {
  auto* state = static_cast<FetchState*>(payload);
  const Credentials& c = *state->credentials;
  // libgit2 asks again after a rejected credential: give up instead of looping.
  if (++state->credentialAttempts > 2) return GIT_EUSER;
  std::string user = !c.username.empty() ? c.username : (userFromUrl ? userFromUrl : "");
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) && !c.sshKeyFile.empty())
    return git_credential_ssh_key_new(out, user.empty() ? "git" : user.c_str(), nullptr,
                                      c.sshKeyFile.c_str(), nullptr);
  if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && !c.tokenFile.empty()) {
    std::ifstream in(c.tokenFile);
    std::string token;
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) return GIT_EUSER;
    return git_credential_userpass_plaintext_new(
        out, user.empty() ? "x-access-token" : user.c_str(), token.c_str());
  }
  if ((allowed & GIT_CREDENTIAL_USERNAME) && !user.empty())
    return git_credential_username_new(out, user.c_str());
  return GIT_PASSTHROUGH;
}

int progressCallback(const git_indexer_progress*, void* payload) {
  auto* state = static_cast<FetchState*>(payload);
  return std::chrono::steady_clock::now() > state->deadline ? -1 : 0;
}

std::atomic<unsigned long> tmpCounter{0};

std::string tmpName(const std::string& dir, const std::string& what) {
  return dir + "/.tmp-" + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(tmpCounter.fetch_add(1));
}

}  // namespace

bool isValidGitRef(const std::string& ref) {
  if (ref.empty() || ref.front() == '-' || ref.size() > 255) return false;
  int valid = 0;
  std::string full = "refs/heads/" + ref;
  return git_reference_name_is_valid(&valid, full.c_str()) == 0 && valid == 1;
}

std::string redactUrl(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto hostStart = scheme + 3;
  auto at = url.find('@', hostStart);
  auto slash = url.find('/', hostStart);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, hostStart) + "***@" + url.substr(at + 1);
}

GitSource::GitSource(SourceConfig config, std::string dataDir)
    : config_(std::move(config)),
      root_(dataDir + "/sources/" + config_.name),
      mirror_(root_ + "/mirror.git") {
  git_libgit2_init();
  if (!isValidGitRef(config_.defaultRef))
    throw std::runtime_error("source '" + config_.name + "': defaultRef '" + config_.defaultRef +
                             "' is not a valid git branch or tag name");
  fs::create_directories(root_ + "/exports");
  // Leftovers of interrupted clones and exports are never trusted.
  for (const auto& dir : {root_, root_ + "/exports"})
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().filename().string().rfind(".tmp-", 0) == 0) fs::remove_all(entry.path());
}

GitSource::~GitSource() {
  git_libgit2_shutdown();
}

void GitSource::ensureMirror() {
  if (fs::exists(mirror_ + "/HEAD")) return;
  std::string tmp = tmpName(root_, "mirror");
  git_repository* repo = nullptr;
  if (git_repository_init(&repo, tmp.c_str(), 1) != 0) {
    std::string err = lastGitError();
    fs::remove_all(tmp);
    throw Error(ErrorKind::Internal, "cannot create git mirror for source '" + config_.name + "'",
                err);
  }
  git_repository_free(repo);
  fs::rename(tmp, mirror_);
}

bool GitSource::fetch(std::string& error) {
  RepoPtr repo = openMirror(mirror_);
  git_remote* remote = nullptr;
  if (git_remote_create_anonymous(&remote, repo.get(), config_.url.c_str()) != 0) {
    error = lastGitError();
    return false;
  }
  std::unique_ptr<git_remote, void (*)(git_remote*)> remoteGuard(remote, git_remote_free);
  FetchState state{&config_.credentials,
                   std::chrono::steady_clock::now() + std::chrono::seconds(kFetchTimeoutSeconds)};
  git_fetch_options opts;
  git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
  opts.callbacks.credentials = credentialCallback;
  opts.callbacks.transfer_progress = progressCallback;
  opts.callbacks.payload = &state;
  opts.prune = GIT_FETCH_PRUNE;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;  // the refspecs below take all tags
  const char* specs[] = {"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"};
  git_strarray refspecs{const_cast<char**>(specs), 2};
  if (git_remote_fetch(remote, &refspecs, &opts, "strata fetch") != 0) {
    error = lastGitError();
    return false;
  }
  return true;
}

std::optional<std::string> GitSource::lookup(const std::string& refName) const {
  RepoPtr repo = openMirror(mirror_);
  git_reference* ref = nullptr;
  if (git_reference_lookup(&ref, repo.get(), refName.c_str()) != 0) return std::nullopt;
  git_object* commit = nullptr;
  int rc = git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT);
  git_reference_free(ref);
  if (rc != 0) return std::nullopt;
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, git_object_id(commit));
  git_object_free(commit);
  return std::string(hex);
}

bool GitSource::hasCommit(const std::string& hex) const {
  RepoPtr repo = openMirror(mirror_);
  git_oid oid;
  if (git_oid_fromstr(&oid, hex.c_str()) != 0) return false;
  git_commit* commit = nullptr;
  if (git_commit_lookup(&commit, repo.get(), &oid) != 0) return false;
  git_commit_free(commit);
  return true;
}

Revision GitSource::exported(const std::string& commit) {
  std::string final = root_ + "/exports/" + commit;
  if (fs::exists(final)) return Revision{commit, final};
  std::string tmp = tmpName(root_ + "/exports", commit);
  RepoPtr repo = openMirror(mirror_);
  git_oid oid;
  git_oid_fromstr(&oid, commit.c_str());
  git_commit* c = nullptr;
  if (git_commit_lookup(&c, repo.get(), &oid) != 0)
    throw Error(ErrorKind::UnknownManifest,
                "commit " + commit + " is not in source '" + config_.name + "'");
  std::unique_ptr<git_commit, void (*)(git_commit*)> guard(c, git_commit_free);
  git_checkout_options opts;
  git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
  opts.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
  opts.target_directory = tmp.c_str();
  if (git_checkout_tree(repo.get(), reinterpret_cast<git_object*>(c), &opts) != 0) {
    std::string err = lastGitError();
    fs::remove_all(tmp);
    throw Error(ErrorKind::Internal,
                "cannot export commit " + commit + " of source '" + config_.name + "'", err);
  }
  std::error_code ec;
  fs::rename(tmp, final, ec);
  if (ec) fs::remove_all(tmp);  // another export of the same commit won the race
  return Revision{commit, final};
}

Revision GitSource::resolve(const std::string& tag) {
  std::string ref = tag == "latest" ? config_.defaultRef : tag;
  if (!isValidGitRef(ref))
    throw Error(ErrorKind::InvalidTag,
                "'" + ref + "' is not a valid git branch, tag or commit name");
  std::lock_guard<std::mutex> lock(mutex_);
  ensureMirror();
  auto& log = Poco::Logger::get("strata.sources");

  if (isHex40(ref)) {
    if (!hasCommit(ref)) {
      std::string error;
      if (!fetch(error))
        log.warning("source '%s': fetch from %s failed: %s", config_.name, redactUrl(config_.url),
                    error);
      else
        lastFetch_ = std::chrono::steady_clock::now();
      if (!hasCommit(ref))
        throw Error(ErrorKind::UnknownManifest,
                    "commit " + ref + " is not in source '" + config_.name + "'");
    }
    return exported(ref);
  }

  // A known tag never moves; a branch is reused while it is fresh.
  if (auto c = lookup("refs/tags/" + ref)) return exported(*c);
  auto fresh = lastFetch_ && std::chrono::steady_clock::now() - *lastFetch_ <
                                 std::chrono::seconds(config_.refreshSeconds);
  if (fresh) {
    if (auto c = lookup("refs/heads/" + ref)) return exported(*c);
  }
  std::string error;
  bool fetched = fetch(error);
  if (fetched)
    lastFetch_ = std::chrono::steady_clock::now();
  else
    log.warning("source '%s': fetch from %s failed: %s", config_.name, redactUrl(config_.url),
                error);
  if (auto c = lookup("refs/tags/" + ref)) return exported(*c);
  if (auto c = lookup("refs/heads/" + ref)) return exported(*c);  // stale when the fetch failed
  if (!fetched)
    throw Error(
        ErrorKind::SourceUnavailable,
        "source '" + config_.name + "' cannot be reached and '" + ref + "' is not known locally",
        error);
  throw Error(ErrorKind::UnknownManifest,
              "no branch, tag or commit '" + ref + "' in source '" + config_.name + "'");
}

Revision GitSource::checkout(const std::string& revisionId) {
  if (!isHex40(revisionId))
    throw Error(ErrorKind::UnknownManifest, "'" + revisionId + "' is not a commit");
  return resolve(revisionId);
}

}  // namespace strata
