#include "sources/GitSource.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <string>

#include "../support/TestSupport.h"
#include "sources/GitSocketStream.h"
#include "util/Error.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

// --- isValidGitRef, redactUrl ----------------------------------------------------------

TEST(GitSourceIsValidGitRef, AcceptsBranchTagAndCommitNames) {
  for (const char* ref : {"main", "v1", "v1.0.2", "release-7", "nixos-24.05", "feature/x", "a_b",
                          "HEAD", "0123456789abcdef0123456789abcdef01234567"})
    EXPECT_TRUE(isValidGitRef(ref)) << ref;
  EXPECT_TRUE(isValidGitRef(std::string(255, 'a')));
}

TEST(GitSourceIsValidGitRef, RejectsWhatGitRejectsAndOptions) {
  for (const char* ref : {"",
                          "-x",
                          "--upload-pack=touch /tmp/x",
                          "-",
                          "a..b",
                          "..",
                          "a.lock",
                          "a.",
                          ".a",
                          "a/.b",
                          "@{u}",
                          "a@{1}",
                          "a b",
                          "a~1",
                          "a^",
                          "a:b",
                          "a?b",
                          "a*b",
                          "a[b",
                          "a\\b",
                          "/a",
                          "a/",
                          "a//b",
                          "a\x01"
                          "b",
                          "a\x7f"})
    EXPECT_FALSE(isValidGitRef(ref)) << ref;
  EXPECT_FALSE(isValidGitRef(std::string(256, 'a')));
}

TEST(GitSourceRedactUrl, HidesUserAndPassword) {
  EXPECT_EQ(redactUrl("https://user:pw@host/x.git"), "https://***@host/x.git");
  EXPECT_EQ(redactUrl("https://ghp_token@host:8443/x.git"), "https://***@host:8443/x.git");
  EXPECT_EQ(redactUrl("ssh://git@host:22/x.git"), "ssh://***@host:22/x.git");
  EXPECT_EQ(redactUrl("http://u:p%40ss@h"), "http://***@h");
  EXPECT_EQ(redactUrl("https://u:p@ss@host/x.git"), "https://***@host/x.git")
      << "the last '@' of the authority ends the password, as git reads it";
  EXPECT_EQ(redactUrl("https://u:pw@host"), "https://***@host");
}

TEST(GitSourceRedactUrl, LeavesUrlsWithoutCredentials) {
  EXPECT_EQ(redactUrl("https://host/x.git"), "https://host/x.git");
  EXPECT_EQ(redactUrl("https://host/a@b/x.git"), "https://host/a@b/x.git");
  EXPECT_EQ(redactUrl("file:///srv/git/x.git"), "file:///srv/git/x.git");
  EXPECT_EQ(redactUrl("git://127.0.0.1:9418/x.git"), "git://127.0.0.1:9418/x.git");
  EXPECT_EQ(redactUrl("/srv/git/x.git"), "/srv/git/x.git");
  EXPECT_EQ(redactUrl("https://host?a=b@c"), "https://host?a=b@c");
  EXPECT_EQ(redactUrl("https://host#a@b"), "https://host#a@b");
}

// --- resolution against real repositories -----------------------------------------------

/// A loopback TCP port nothing listens on (bound, then closed).
int closedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

/// A loopback server that completes TCP handshakes (the kernel does, into the
/// backlog) but never accepts, reads or answers: a fetch from it hangs.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0)
      throw std::runtime_error("cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { close(); }
  int port() const { return port_; }
  /// Waits until a client connection is pending; false after `millis`.
  bool waitForClient(int millis) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, millis) == 1;
  }
  /// Closing the listening socket resets the pending connections.
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class GitSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work = dir / "work";
    bare = dir / "upstream.git";
    data = dir / "data";
    git("init -q -b main " + test::shellQuote(work));
    c0 = commitFile("0");
    c1 = commitFile("1");
    gitIn("tag -a v1 -m 'release 1'");
    gitIn("branch stable");
    gitIn("tag dup");
    c2 = commitFile("2");
    gitIn("tag v2");
    gitIn("branch dup");
    git("init -q --bare " + test::shellQuote(bare));
    push("'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'");
  }

  void TearDown() override { setGitNetworkTimeouts(GitNetworkTimeouts{}); }

  /// Runs the git command line (fixtures only; Strata uses libgit2).
  std::string git(const std::string& args) {
    auto r = test::runShell(
        "GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=t "
        "GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t git " +
        args + " 2>&1");
    EXPECT_EQ(r.status, 0) << "git " << args << ": " << r.out;
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }
  std::string gitIn(const std::string& args) {
    return git("-C " + test::shellQuote(work) + " " + args);
  }
  std::string commitFile(const std::string& version) {
    test::writeFile(work + "/default.nix", "{ }: { version = \"" + version + "\"; }\n");
    gitIn("add -A");
    gitIn("commit -q -m 'version " + version + "'");
    return gitIn("rev-parse HEAD");
  }
  void push(const std::string& refspecs, bool force = false) {
    gitIn(std::string("push -q ") + (force ? "-f " : "") + test::shellQuote(bare) + " " + refspecs);
  }

  SourceConfig config(const std::string& url, int refreshSeconds = 0) {
    SourceConfig c;
    c.name = "acme";
    c.prefix = "acme";
    c.type = "git";
    c.url = url;
    c.defaultRef = "main";
    c.refreshSeconds = refreshSeconds;
    return c;
  }
  std::string fileUrl() const { return "file://" + bare; }
  std::string root() const { return data + "/sources/acme"; }

  static ErrorKind kindOf(const std::function<void()>& fn, std::string* message = nullptr,
                          std::string* detail = nullptr) {
    try {
      fn();
    } catch (const Error& e) {
      if (message) *message = e.what();
      if (detail) *detail = e.detail();
      return e.kind();
    }
    ADD_FAILURE() << "no strata::Error thrown";
    return ErrorKind::Internal;
  }

  test::TempDir dir;
  std::string work, bare, data, c0, c1, c2;
};

TEST_F(GitSourceTest, ResolvesTagsBranchesCommitsAndLatest) {
  GitSource src(config(fileUrl()), data);
  EXPECT_EQ(src.resolve("v1").id, c1) << "annotated tag";
  EXPECT_EQ(src.resolve("v2").id, c2) << "lightweight tag";
  EXPECT_EQ(src.resolve("main").id, c2);
  EXPECT_EQ(src.resolve("stable").id, c1);
  EXPECT_EQ(src.resolve("latest").id, c2);
  EXPECT_EQ(src.resolve(c0).id, c0);
  EXPECT_EQ(src.checkout(c1).id, c1);
}

TEST_F(GitSourceTest, RefsAreLatestThenBranchesAndKeptTagsByName) {
  gitIn("branch feature/x");
  push("feature/x");
  GitSource src(config(fileUrl()), data);
  std::vector<std::string> listed;
  for (const auto& r : src.refs()) listed.push_back(r.kind + " " + r.name + " " + r.revision);
  EXPECT_EQ(listed,
            (std::vector<std::string>{"latest latest " + c2, "branch dup " + c2, "tag dup " + c1,
                                      "branch feature/x " + c2, "branch main " + c2,
                                      "branch stable " + c1, "tag v1 " + c1, "tag v2 " + c2}));
}

TEST_F(GitSourceTest, RefsAreFetchedAgainAfterRefreshSeconds) {
  GitSource src(config(fileUrl(), 3600), data);
  auto has = [&](const std::string& name) {
    for (const auto& r : src.refs())
      if (r.name == name) return true;
    return false;
  };
  EXPECT_TRUE(has("v2"));
  gitIn("tag v3");
  push("v3");
  EXPECT_FALSE(has("v3")) << "within refreshSeconds: the last fetched state";
  GitSource fresh(config(fileUrl(), 0), data);
  bool listed = false;
  for (const auto& r : fresh.refs()) listed = listed || r.name == "v3";
  EXPECT_TRUE(listed) << "refreshSeconds 0: fetched on every listing";
}

TEST_F(GitSourceTest, RefsOfAnUnreachableRemoteAreTheLastFetchedState) {
  GitSource src(config(fileUrl(), 0), data);
  std::size_t before = src.refs().size();
  fs::rename(bare, dir / "gone.git");
  EXPECT_EQ(src.refs().size(), before);
  GitSource never(config("file://" + dir / "nothing.git", 0), dir / "other-data");
  EXPECT_EQ(kindOf([&] { never.refs(); }), ErrorKind::SourceUnavailable);
}

TEST_F(GitSourceTest, TagBeatsBranchOfTheSameName) {
  GitSource src(config(fileUrl()), data);
  EXPECT_EQ(gitIn("rev-parse refs/heads/dup"), c2);
  EXPECT_EQ(src.resolve("dup").id, c1);
}

TEST_F(GitSourceTest, LatestMeansDefaultRef) {
  auto c = config(fileUrl());
  c.defaultRef = "stable";
  GitSource src(c, data);
  EXPECT_EQ(src.resolve("latest").id, c1);
}

TEST_F(GitSourceTest, ExportsTheTreeOfTheCommitByCommitId) {
  GitSource src(config(fileUrl()), data);
  Revision r1 = src.resolve("v1");
  EXPECT_EQ(r1.packageSet, root() + "/exports/" + c1);
  EXPECT_EQ(test::readFile(r1.packageSet + "/default.nix"), "{ }: { version = \"1\"; }\n");
  EXPECT_FALSE(fs::exists(r1.packageSet + "/.git"));
  EXPECT_EQ(src.resolve(c1).packageSet, r1.packageSet) << "the same commit, the same folder";
  EXPECT_EQ(src.resolve("stable").packageSet, r1.packageSet);
  Revision r2 = src.resolve("v2");
  EXPECT_EQ(test::readFile(r2.packageSet + "/default.nix"), "{ }: { version = \"2\"; }\n");
  // Only complete exports, no temporary folders, are left.
  for (const auto& e : fs::directory_iterator(root() + "/exports"))
    EXPECT_NE(e.path().filename().string().rfind(".tmp-", 0), 0u) << e.path();
}

TEST_F(GitSourceTest, RefreshSecondsZeroFetchesOnEveryResolution) {
  GitSource src(config(fileUrl(), 0), data);
  EXPECT_EQ(src.resolve("latest").id, c2);
  std::string c3 = commitFile("3");
  push("main");
  EXPECT_EQ(src.resolve("latest").id, c3);
  EXPECT_EQ(src.resolve("main").id, c3);
}

TEST_F(GitSourceTest, BranchIsReusedForRefreshSeconds) {
  {
    GitSource src(config(fileUrl(), 3600), data);
    EXPECT_EQ(src.resolve("latest").id, c2);
    std::string c3 = commitFile("3");
    push("main");
    EXPECT_EQ(src.resolve("latest").id, c2) << "within refreshSeconds: no fetch";
    EXPECT_EQ(src.resolve("main").id, c2);
  }
  // A new process fetches on its first resolution of a branch.
  GitSource again(config(fileUrl(), 3600), data);
  EXPECT_EQ(again.resolve("latest").id, gitIn("rev-parse HEAD"));
}

TEST_F(GitSourceTest, KnownTagsAndCommitsNeedNoRemote) {
  GitSource src(config(fileUrl(), 0), data);
  EXPECT_EQ(src.resolve("v1").id, c1);
  EXPECT_EQ(src.resolve("main").id, c2);
  fs::rename(bare, dir / "gone.git");
  EXPECT_EQ(src.resolve("v1").id, c1);
  EXPECT_EQ(src.resolve("v2").id, c2) << "fetched before, resolved before or not";
  EXPECT_EQ(src.resolve(c0).id, c0);
  EXPECT_EQ(src.resolve("main").id, c2) << "a branch: its last fetched state";
  EXPECT_EQ(src.resolve("latest").id, c2);
}

TEST_F(GitSourceTest, UnknownRefsAreUnknownManifestNamingThem) {
  GitSource src(config(fileUrl(), 0), data);
  std::string msg;
  EXPECT_EQ(kindOf([&] { src.resolve("no-such-branch"); }, &msg), ErrorKind::UnknownManifest);
  EXPECT_NE(msg.find("no-such-branch"), std::string::npos) << msg;
  std::string hex = "0123456789abcdef0123456789abcdef01234567";
  EXPECT_EQ(kindOf([&] { src.resolve(hex); }, &msg), ErrorKind::UnknownManifest);
  EXPECT_NE(msg.find(hex), std::string::npos) << msg;
  EXPECT_EQ(kindOf([&] { src.checkout("not-a-commit"); }), ErrorKind::UnknownManifest);
}

TEST_F(GitSourceTest, UnreachableAndUnknownIsSourceUnavailable) {
  GitSource src(config(fileUrl(), 0), data);
  EXPECT_EQ(src.resolve("main").id, c2);
  fs::rename(bare, dir / "gone.git");
  std::string msg;
  EXPECT_EQ(kindOf([&] { src.resolve("no-such-branch"); }, &msg), ErrorKind::SourceUnavailable);
  EXPECT_NE(msg.find("no-such-branch"), std::string::npos) << msg;
  std::string hex = "0123456789abcdef0123456789abcdef01234567";
  EXPECT_EQ(kindOf([&] { src.resolve(hex); }, &msg), ErrorKind::SourceUnavailable)
      << "the commit may exist upstream";
  EXPECT_NE(msg.find(hex), std::string::npos) << msg;
}

TEST_F(GitSourceTest, ClosedPortFailsAsSourceUnavailable) {
  GitSource src(config("git://127.0.0.1:" + std::to_string(closedPort()) + "/x.git", 0), data);
  std::string msg, detail;
  EXPECT_EQ(kindOf([&] { src.resolve("latest"); }, &msg, &detail), ErrorKind::SourceUnavailable);
  EXPECT_NE(detail.find("failed to connect"), std::string::npos) << detail;
}

TEST_F(GitSourceTest, UnknownRefFetchesWithinRefreshSeconds) {
  GitSource src(config(fileUrl(), 3600), data);
  EXPECT_EQ(src.resolve("main").id, c2);
  std::string c3 = commitFile("3");
  gitIn("branch newer");
  push("newer");
  EXPECT_EQ(src.resolve("newer").id, c3) << "a ref not known locally is fetched";
}

TEST_F(GitSourceTest, FailedFetchIsNotRetriedWithinRefreshSeconds) {
  GitSource src(config(fileUrl(), 3600), data);
  EXPECT_EQ(src.resolve("main").id, c2);
  fs::rename(bare, dir / "gone.git");
  EXPECT_EQ(kindOf([&] { src.resolve("newer"); }), ErrorKind::SourceUnavailable);
  fs::rename(dir / "gone.git", bare);
  gitIn("branch newer");
  push("newer");
  EXPECT_EQ(kindOf([&] { src.resolve("newer"); }), ErrorKind::SourceUnavailable)
      << "within refreshSeconds of a failed fetch, the remote is not tried again";
  EXPECT_EQ(src.resolve("main").id, c2) << "known branches answer meanwhile";
  GitSource again(config(fileUrl(), 3600), data);
  EXPECT_EQ(again.resolve("newer").id, c2) << "a new process tries at once";
}

TEST_F(GitSourceTest, InvalidRefsNeverReachTheRemote) {
  GitSource src(config(fileUrl(), 0), data);
  for (const char* ref : {"-x", "--upload-pack=touch x", "a..b", "x.lock", "a.", "@{u}", ""})
    EXPECT_EQ(kindOf([&] { src.resolve(ref); }), ErrorKind::InvalidTag) << ref;
  // Nothing was fetched: the mirror has no branch yet.
  EXPECT_FALSE(fs::exists(root() + "/mirror.git/refs/heads/main"));
  EXPECT_FALSE(fs::exists(root() + "/mirror.git/packed-refs"));
}

TEST_F(GitSourceTest, InvalidDefaultRefIsRefusedAtConstruction) {
  auto c = config(fileUrl());
  c.defaultRef = "-main";
  EXPECT_THROW(GitSource(c, data), std::runtime_error);
}

TEST_F(GitSourceTest, TagKeepsTheCommitItWasFirstSeenAt) {
  {
    GitSource src(config(fileUrl(), 0), data);
    EXPECT_EQ(src.resolve("v1").id, c1);
    std::string c3 = commitFile("3");
    gitIn("tag -f v1");  // moved upstream to c3
    push("main v1", /*force=*/true);
    EXPECT_EQ(src.resolve("main").id, c3) << "a fetch happened";
    EXPECT_EQ(src.resolve("v1").id, c1) << "the tag keeps its first commit";
    gitIn("tag v3");
    push("v3");
    EXPECT_EQ(src.resolve("v3").id, c3) << "a new tag is fetched on first use";
  }
  GitSource again(config(fileUrl(), 0), data);
  EXPECT_EQ(again.resolve("latest").id, gitIn("rev-parse HEAD"));
  EXPECT_EQ(again.resolve("v1").id, c1) << "also after a restart";
}

TEST_F(GitSourceTest, DeletedBranchIsUnknownAfterAFetch) {
  GitSource src(config(fileUrl(), 0), data);
  EXPECT_EQ(src.resolve("stable").id, c1);
  git("-C " + test::shellQuote(bare) + " branch -D stable");
  EXPECT_EQ(kindOf([&] { src.resolve("stable"); }), ErrorKind::UnknownManifest);
  EXPECT_EQ(src.resolve(c1).id, c1) << "its commit stays pinned";
}

TEST_F(GitSourceTest, LeftoversAreRemovedAtConstruction) {
  GitSource(config(fileUrl(), 0), data).resolve("main");
  fs::create_directories(root() + "/exports/.tmp-" + c1 + "-999999-0");
  test::writeFile(root() + "/exports/.tmp-" + c1 + "-999999-0/default.nix", "corrupt");
  fs::create_directories(root() + "/.tmp-mirror-999999-1/objects");
  test::writeFile(root() + "/mirror.git/refs/heads/main.lock", c1 + "\n");
  test::writeFile(root() + "/mirror.git/packed-refs.lock", "");
  GitSource src(config(fileUrl(), 0), data);
  EXPECT_FALSE(fs::exists(root() + "/exports/.tmp-" + c1 + "-999999-0"));
  EXPECT_FALSE(fs::exists(root() + "/.tmp-mirror-999999-1"));
  EXPECT_FALSE(fs::exists(root() + "/mirror.git/refs/heads/main.lock"));
  EXPECT_FALSE(fs::exists(root() + "/mirror.git/packed-refs.lock"));
  // The stale lock no longer blocks updating main.
  std::string c3 = commitFile("3");
  push("main");
  EXPECT_EQ(src.resolve("main").id, c3);
  // The commit whose export never finished is exported afresh.
  Revision r1 = src.resolve(c1);
  EXPECT_EQ(test::readFile(r1.packageSet + "/default.nix"), "{ }: { version = \"1\"; }\n");
}

TEST_F(GitSourceTest, LeftoversOfALiveOwnerAreKept) {
  GitSource first(config(fileUrl(), 0), data);
  first.resolve("main");
  std::string busy = root() + "/exports/.tmp-" + c1 + "-1-0";
  fs::create_directories(busy);
  GitSource second(config(fileUrl(), 0), data);  // e.g. an admin command beside the server
  EXPECT_TRUE(fs::exists(busy)) << "another live GitSource of the same folder may be writing it";
  EXPECT_EQ(second.resolve("v1").id, c1);
}

TEST_F(GitSourceTest, CredentialsNeverInErrors) {
  const std::string secret = "Sup3rSecretPassw0rd";
  test::writeFile(dir / "token", secret + "\n");
  auto c =
      config("http://deploy:" + secret + "@127.0.0.1:" + std::to_string(closedPort()) + "/x.git");
  c.credentials.tokenFile = dir / "token";
  c.credentials.sshKeyFile = dir / "id_ed25519";
  GitSource src(c, data);
  std::string msg, detail;
  EXPECT_EQ(kindOf([&] { src.resolve("main"); }, &msg, &detail), ErrorKind::SourceUnavailable);
  for (const auto& text : {msg, detail}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
    EXPECT_EQ(text.find(dir / "token"), std::string::npos) << text;
  }
}

TEST_F(GitSourceTest, SilentServerTimesOut) {
  setGitNetworkTimeouts({2000, 1000});
  SilentServer server;
  GitSource src(config("git://127.0.0.1:" + std::to_string(server.port()) + "/x.git", 0), data);
  auto pending = std::async(std::launch::async, [&] {
    std::string detail;
    return std::make_pair(kindOf([&] { src.resolve("main"); }, nullptr, &detail), detail);
  });
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(120)), std::future_status::ready)
      << "the fetch from a silent server never gave up";
  auto [kind, detail] = pending.get();
  EXPECT_EQ(kind, ErrorKind::SourceUnavailable);
  EXPECT_NE(detail.find("timed out"), std::string::npos) << detail;
}

TEST_F(GitSourceTest, KnownRefsDoNotWaitForAHangingFetch) {
  GitSource(config(fileUrl(), 0), data).resolve("main");
  setGitNetworkTimeouts({2000, 600000});  // the fetch below hangs until the server closes
  SilentServer server;
  GitSource src(config("git://127.0.0.1:" + std::to_string(server.port()) + "/x.git", 0), data);
  auto hanging = std::async(std::launch::async, [&] { return src.resolve("main").id; });
  ASSERT_TRUE(server.waitForClient(60000)) << "the fetch never connected";
  EXPECT_EQ(src.resolve("v1").id, c1);
  EXPECT_EQ(src.resolve(c2).id, c2);
  EXPECT_EQ(hanging.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the fetch was expected to still hang";
  server.close();  // resets the connection: the fetch fails, main is served stale
  ASSERT_EQ(hanging.wait_for(std::chrono::seconds(120)), std::future_status::ready);
  EXPECT_EQ(hanging.get(), c2);
}

}  // namespace
}  // namespace strata
