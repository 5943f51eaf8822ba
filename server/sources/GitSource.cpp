#include "sources/GitSource.h"

#include <fcntl.h>
#include <git2.h>
#include <sys/file.h>
#include <unistd.h>

#include <Poco/Logger.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <utility>
#include <vector>

#include "sources/GitSocketStream.h"
#include "util/Error.h"

namespace strata {
namespace fs = std::filesystem;

namespace {

constexpr int kFetchTimeoutSeconds = 300;
constexpr const char* kUpstreamTags = "refs/upstream-tags/";

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
  if (++state->credentialAttempts > 2) {
    git_error_set_str(GIT_ERROR_NET, "the remote rejected the source's credentials");
    return GIT_EUSER;
  }
  std::string user = !c.username.empty() ? c.username : (userFromUrl ? userFromUrl : "");
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) && !c.sshKeyFile.empty())
    return git_credential_ssh_key_new(out, user.empty() ? "git" : user.c_str(), nullptr,
                                      c.sshKeyFile.c_str(), nullptr);
  if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && !c.tokenFile.empty()) {
    std::ifstream in(c.tokenFile);
    std::string token;
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) {
      git_error_set_str(GIT_ERROR_NET, "the source's token file is missing, unreadable or empty");
      return GIT_EUSER;
    }
    return git_credential_userpass_plaintext_new(
        out, user.empty() ? "x-access-token" : user.c_str(), token.c_str());
  }
  if ((allowed & GIT_CREDENTIAL_USERNAME) && !user.empty())
    return git_credential_username_new(out, user.c_str());
  git_error_set_str(GIT_ERROR_NET,
                    (allowed & GIT_CREDENTIAL_SSH_KEY)
                        ? "the remote asks for an ssh key: set credentials.sshKeyFile"
                        : "the remote asks for credentials (or rejected those in the URL): set "
                          "credentials.tokenFile");
  return GIT_EUSER;
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

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

std::string percentDecode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// Where the user[:password] of a URL starts, and its '@' (npos when none):
/// the last '@' of the authority, as git and libgit2 read it.
std::pair<std::size_t, std::size_t> userinfoOf(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {0, std::string::npos};
  auto start = scheme + 3;
  auto end = url.find_first_of("/?#", start);
  auto at = url.rfind('@', end == std::string::npos ? std::string::npos : end - 1);
  if (at == std::string::npos || at < start) return {start, std::string::npos};
  return {start, at};
}

/// Copies every upstream tag not known locally to refs/tags/: a tag, once
/// known, keeps its commit even when it is moved upstream.
void adoptNewTags(git_repository* repo) {
  std::vector<std::string> names;
  git_reference_foreach_glob(
      repo, "refs/upstream-tags/*",
      [](const char* name, void* payload) {
        static_cast<std::vector<std::string>*>(payload)->emplace_back(name);
        return 0;
      },
      &names);
  for (const auto& name : names) {
    std::string local = "refs/tags/" + name.substr(std::string(kUpstreamTags).size());
    git_reference* existing = nullptr;
    if (git_reference_lookup(&existing, repo, local.c_str()) == 0) {
      git_reference_free(existing);
      continue;
    }
    git_oid oid;
    if (git_reference_name_to_id(&oid, repo, name.c_str()) != 0) continue;
    git_reference* created = nullptr;
    if (git_reference_create(&created, repo, local.c_str(), &oid, 0, "strata: tag first seen") == 0)
      git_reference_free(created);
  }
}

/// Every reference under `prefix` ("refs/heads/") peeled to its commit, by
/// name without the prefix; references that peel to no commit are left out.
std::vector<std::pair<std::string, std::string>> peeledRefs(git_repository* repo,
                                                            const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  git_reference_iterator* it = nullptr;
  if (git_reference_iterator_glob_new(&it, repo, (prefix + "*").c_str()) != 0) return out;
  std::unique_ptr<git_reference_iterator, void (*)(git_reference_iterator*)> guard(
      it, git_reference_iterator_free);
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, it) == 0) {
    git_object* commit = nullptr;
    if (git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT) == 0) {
      char hex[GIT_OID_HEXSZ + 1];
      git_oid_tostr(hex, sizeof hex, git_object_id(commit));
      out.emplace_back(std::string(git_reference_name(ref)).substr(prefix.size()), hex);
      git_object_free(commit);
    }
    git_reference_free(ref);
  }
  return out;
}

}  // namespace

bool isValidGitRef(const std::string& ref) {
  if (ref.empty() || ref.front() == '-' || ref.size() > 255) return false;
  // git forbids control characters and DEL; libgit2 1.5 lets DEL through.
  for (unsigned char c : ref)
    if (c < 0x20 || c == 0x7f) return false;
  // libgit2 must be initialised before any call (it may set an error); this
  // one reference is never released.
  static const int initialised = git_libgit2_init();
  (void)initialised;
  int valid = 0;
  std::string full = "refs/heads/" + ref;
  return git_reference_name_is_valid(&valid, full.c_str()) == 0 && valid == 1;
}

std::string redactUrl(const std::string& url) {
  auto [start, at] = userinfoOf(url);
  if (at == std::string::npos) return url;
  return url.substr(0, start) + "***@" + url.substr(at + 1);
}

GitSource::GitSource(SourceConfig config, std::string dataDir)
    : config_(std::move(config)),
      root_(dataDir + "/sources/" + config_.name),
      mirror_(root_ + "/mirror.git") {
  git_libgit2_init();
  installGitSocketStream();
  if (!isValidGitRef(config_.defaultRef)) {
    git_libgit2_shutdown();
    throw std::runtime_error("source '" + config_.name + "': defaultRef '" + config_.defaultRef +
                             "' is not a valid git branch or tag name");
  }
  try {
    fs::create_directories(root_ + "/exports");
    // Held for the lifetime of this object: only the one process holding it
    // removes leftovers, so a second process on the same data folder (an admin
    // command next to the server) never removes a folder the first is writing.
    ownerFd_ = ::open((root_ + "/owner.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (ownerFd_ >= 0 && ::flock(ownerFd_, LOCK_EX | LOCK_NB) == 0) removeLeftovers();
    ensureMirror();
  } catch (...) {
    if (ownerFd_ >= 0) ::close(ownerFd_);
    git_libgit2_shutdown();
    throw;
  }
}

GitSource::~GitSource() {
  if (ownerFd_ >= 0) ::close(ownerFd_);
  git_libgit2_shutdown();
}

void GitSource::removeLeftovers() {
  // Interrupted exports and mirror creations are never trusted.
  for (const auto& dir : {root_, root_ + "/exports"})
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().filename().string().rfind(".tmp-", 0) == 0) fs::remove_all(entry.path());
  // A process killed while it updated a ref leaves its lock file behind, and
  // libgit2 then refuses to update that ref ever again.
  if (!fs::exists(mirror_)) return;
  std::vector<fs::path> locks;
  for (auto it = fs::recursive_directory_iterator(mirror_);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename() == "objects") it.disable_recursion_pending();
    if (it->is_regular_file() && it->path().extension() == ".lock") locks.push_back(it->path());
  }
  for (const auto& lock : locks) {
    Poco::Logger::get("strata.sources")
        .warning("source '%s': removing stale lock %s", config_.name, lock.string());
    fs::remove(lock);
  }
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
  std::error_code ec;
  fs::rename(tmp, mirror_, ec);
  if (ec) fs::remove_all(tmp);  // another process made it first
}

std::string GitSource::scrub(const std::string& text) const {
  std::string out = text;
  const std::string& url = config_.url;
  replaceAll(out, url, redactUrl(url));
  auto [start, at] = userinfoOf(url);
  if (at != std::string::npos) {
    std::string userinfo = url.substr(start, at - start);
    auto colon = userinfo.find(':');
    if (colon != std::string::npos) {
      std::string password = userinfo.substr(colon + 1);
      replaceAll(out, password, "***");
      replaceAll(out, percentDecode(password), "***");
    }
  }
  return out;
}

bool GitSource::fetch(std::string& error) {
  auto& log = Poco::Logger::get("strata.sources");
  auto started = std::chrono::steady_clock::now();
  auto millis = [&] {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count());
  };
  RepoPtr repo = openMirror(mirror_);
  git_remote* remote = nullptr;
  if (git_remote_create_anonymous(&remote, repo.get(), config_.url.c_str()) != 0) {
    error = scrub(lastGitError());
    log.warning("source '%s': cannot fetch from %s: %s", config_.name, redactUrl(config_.url),
                error);
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
  // Tags land in a namespace of their own; adoptNewTags() copies the new ones.
  const char* specs[] = {"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/upstream-tags/*"};
  git_strarray refspecs{const_cast<char**>(specs), 2};
  if (git_remote_fetch(remote, &refspecs, &opts, "strata fetch") != 0) {
    error = scrub(lastGitError());
    log.warning("source '%s': fetch from %s failed after %ld ms: %s", config_.name,
                redactUrl(config_.url), millis(), error);
    return false;
  }
  adoptNewTags(repo.get());
  log.information("source '%s': fetched %s in %ld ms", config_.name, redactUrl(config_.url),
                  millis());
  return true;
}

std::optional<GitSource::Attempt> GitSource::lastAttempt() const {
  std::lock_guard<std::mutex> lock(stateMutex_);
  return lastAttempt_;
}

bool GitSource::fresh(const std::optional<Attempt>& last, Clock::time_point at) const {
  return last && at - last->started < std::chrono::seconds(config_.refreshSeconds);
}

GitSource::Attempt GitSource::fetchSince(Clock::time_point notBefore) {
  std::lock_guard<std::mutex> lock(fetchMutex_);
  if (auto last = lastAttempt(); last && last->started >= notBefore) return *last;
  Attempt attempt;
  attempt.started = Clock::now();
  attempt.ok = fetch(attempt.error);
  std::lock_guard<std::mutex> state(stateMutex_);
  lastAttempt_ = attempt;
  return attempt;
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
  git_commit* c = nullptr;
  if (git_oid_fromstr(&oid, commit.c_str()) != 0 || git_commit_lookup(&c, repo.get(), &oid) != 0)
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
  auto requested = Clock::now();
  auto unavailable = [&](const Attempt& attempt, const std::string& what) {
    return Error(
        ErrorKind::SourceUnavailable,
        "source '" + config_.name + "' cannot be reached and " + what + " is not known locally",
        attempt.error);
  };

  // A known commit or tag never moves: no fetch.
  if (isHex40(ref)) {
    if (hasCommit(ref)) return exported(ref);
    Attempt attempt = fetchSince(requested);
    if (hasCommit(ref)) return exported(ref);
    if (!attempt.ok) throw unavailable(attempt, "commit " + ref);
    throw Error(ErrorKind::UnknownManifest,
                "commit " + ref + " is not in source '" + config_.name + "'");
  }
  if (auto c = lookup("refs/tags/" + ref)) return exported(*c);

  // A branch is reused while the last fetch attempt is fresh; after a failed
  // attempt the remote is not tried again until then either.
  auto last = lastAttempt();
  bool isFresh = fresh(last, requested);
  if (isFresh)
    if (auto c = lookup("refs/heads/" + ref)) return exported(*c);
  Attempt attempt = isFresh && !last->ok ? *last : fetchSince(requested);
  if (auto c = lookup("refs/tags/" + ref)) return exported(*c);
  if (auto c = lookup("refs/heads/" + ref)) return exported(*c);  // stale when the fetch failed
  if (!attempt.ok) throw unavailable(attempt, "'" + ref + "'");
  throw Error(ErrorKind::UnknownManifest,
              "no branch, tag or commit '" + ref + "' in source '" + config_.name + "'");
}

std::vector<SourceRef> GitSource::refs() {
  auto requested = Clock::now();
  auto last = lastAttempt();
  // Like a branch: the local state while the last attempt is fresh; a failed
  // fetch leaves the last fetched state to answer from.
  std::optional<Attempt> attempt = last;
  if (!fresh(last, requested)) attempt = fetchSince(requested);
  std::vector<SourceRef> refs;
  {
    RepoPtr repo = openMirror(mirror_);
    for (const auto& [prefix, kind] :
         {std::pair<std::string, std::string>{"refs/heads/", "branch"}, {"refs/tags/", "tag"}}) {
      for (const auto& [name, commit] : peeledRefs(repo.get(), prefix))
        refs.push_back(SourceRef{name, kind, commit});
    }
  }
  if (refs.empty() && attempt && !attempt->ok)
    throw Error(ErrorKind::SourceUnavailable,
                "source '" + config_.name + "' cannot be reached and has no refs locally",
                attempt->error);
  std::sort(refs.begin(), refs.end(), [](const SourceRef& a, const SourceRef& b) {
    return a.name != b.name ? a.name < b.name : a.kind < b.kind;
  });
  // `latest` is the default ref, a tag before a branch as resolve() reads it.
  for (const char* kind : {"tag", "branch"})
    for (const auto& r : refs)
      if (r.kind == kind && r.name == config_.defaultRef) {
        refs.insert(refs.begin(), SourceRef{"latest", "latest", r.revision});
        return refs;
      }
  return refs;
}

Revision GitSource::checkout(const std::string& revisionId) {
  if (!isHex40(revisionId))
    throw Error(ErrorKind::UnknownManifest, "'" + revisionId + "' is not a commit");
  return resolve(revisionId);
}

}  // namespace strata
