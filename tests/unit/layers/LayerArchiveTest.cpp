#include "layers/LayerArchive.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "../support/TestSupport.h"
#include "nix/NixDriver.h"
#include "util/ByteSink.h"

namespace strata {
namespace {

using test::parseTar;
using test::TarArchive;
using test::TempDir;

std::string storeTar(const std::vector<std::string>& paths) {
  StringSink sink;
  TarWriter tar(sink);
  writeStorePaths(tar, paths);
  return sink.data();
}

std::string symlinkTar(const std::vector<std::string>& roots) {
  StringSink sink;
  TarWriter tar(sink);
  writeSymlinkTree(tar, roots);
  return sink.data();
}

// ---------------------------------------------------------------------------
// writeStorePaths

TEST(LayerArchive, StorePathsRejectsWhatIsNotAStorePath) {
  for (std::string bad : {"/etc/passwd", "nix/store/abc-x", "/nix/store/abc-x/bin",
                          "/nix/store/abc-x/", "/nix/storeabc-x", "/nix/store", "/nix/store/",
                          "/nix/store/.", "/nix/store/..", "", "/nix/store//etc"}) {
    SCOPED_TRACE(bad);
    StringSink sink;
    TarWriter tar(sink);
    EXPECT_THROW(writeStorePaths(tar, {bad}), std::invalid_argument);
  }
}

TEST(LayerArchive, StorePathsFailsForAMissingPath) {
  StringSink sink;
  TarWriter tar(sink);
  EXPECT_THROW(
      writeStorePaths(tar, {"/nix/store/00000000000000000000000000000000-strata-no-such-path"}),
      std::runtime_error);
}

TEST(LayerArchive, NoStorePathsGivesTheStoreFoldersOnly) {
  auto a = parseTar(storeTar({}));
  EXPECT_EQ(test::entryNames(a), (std::vector<std::string>{"nix/", "nix/store/"}));
  for (const auto& e : a.entries) {
    EXPECT_EQ(e.type, '5');
    EXPECT_EQ(e.mode, 0555u);
  }
}

/// Store paths present on this machine (regular entries of /nix/store).
std::vector<std::string> realStorePaths(std::size_t max) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::is_directory("/nix/store", ec)) return out;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator("/nix/store", ec)) {
    std::string p = entry.path().string();
    if (!isStorePath(p) || (p.size() > 5 && p.substr(p.size() - 5) == ".lock")) continue;
    names.push_back(p);
  }
  std::sort(names.begin(), names.end());
  for (const auto& p : names) {
    // Only paths made of files, folders and symlinks that we can read.
    bool ok = true;
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        auto s = it->symlink_status();
        if (!std::filesystem::is_directory(s) && !std::filesystem::is_regular_file(s) &&
            !std::filesystem::is_symlink(s))
          ok = false;
      }
      if (ec) ok = false;
    } else if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
      ok = false;
    }
    if (ok) out.push_back(p);
    if (out.size() == max) break;
  }
  return out;
}

/// The entries writeStorePaths should produce for one path: depth first,
/// every folder's entries in byte order.
void expectedEntries(const std::string& path, std::vector<std::string>& out) {
  struct stat st;
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  if (!S_ISDIR(st.st_mode)) {
    out.push_back(path.substr(1));
    return;
  }
  out.push_back(path.substr(1) + "/");
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(path))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const auto& n : names) expectedEntries(path + "/" + n, out);
}

TEST(LayerArchive, StorePathsAreDeterministicAndFaithful) {
  auto paths = realStorePaths(4);
  if (paths.empty()) GTEST_SKIP() << "no store path on this machine";

  std::vector<std::string> reversed(paths.rbegin(), paths.rend());
  std::string first = storeTar(paths);
  EXPECT_EQ(first, storeTar(paths));
  EXPECT_EQ(first, storeTar(reversed));  // input order does not matter

  TarArchive a = parseTar(first);
  std::vector<std::string> expected{"nix/", "nix/store/"};
  for (const auto& p : paths) expectedEntries(p, expected);
  EXPECT_EQ(test::entryNames(a), expected);

  for (const auto& e : a.entries) {
    SCOPED_TRACE(e.name);
    EXPECT_EQ(e.mtime, 1u);
    EXPECT_EQ(e.uid, 0u);
    EXPECT_EQ(e.gid, 0u);
    if (e.name == "nix/" || e.name == "nix/store/") continue;
    std::string src = "/" + e.name;
    if (!src.empty() && src.back() == '/') src.pop_back();
    struct stat st;
    ASSERT_EQ(::lstat(src.c_str(), &st), 0);
    if (S_ISDIR(st.st_mode)) {
      EXPECT_EQ(e.type, '5');
      EXPECT_EQ(e.mode, st.st_mode & 0777);
    } else if (S_ISLNK(st.st_mode)) {
      EXPECT_EQ(e.type, '2');
      EXPECT_EQ(e.linkName, std::filesystem::read_symlink(src).string());
    } else {
      EXPECT_EQ(e.type, '0');
      EXPECT_EQ(e.mode, st.st_mode & 0777);
      EXPECT_EQ(e.data, test::readFile(src));
    }
  }

  // And GNU tar agrees on the listing.
  TempDir dir;
  test::writeFile(dir / "layer.tar", first);
  auto list = test::runShell("tar -tf " + test::shellQuote(dir / "layer.tar") + " 2>&1");
  ASSERT_EQ(list.status, 0) << list.out;
  std::string joined;
  for (const auto& n : expected) joined += n + "\n";
  EXPECT_EQ(list.out, joined);
}

// ---------------------------------------------------------------------------
// writeSymlinkTree

class SymlinkTree : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir / "a-pkg";
    b = dir / "b-pkg";
    c = dir / "c-pkg";
    test::writeFile(a + "/bin/hello", "a hello", 0755);
    test::writeFile(a + "/bin/conflict-dir", "a file where b has a folder", 0755);
    test::writeFile(a + "/lib/liba.so", "liba");
    test::writeFile(a + "/share/doc/a/README", "a readme");
    test::writeFile(a + "/etc/a.conf", "a conf");
    test::writeFile(a + "/include/a.h", "not linked");
    test::writeFile(b + "/bin/hello", "b hello", 0755);
    test::writeFile(b + "/bin/world", "b world", 0755);
    test::writeFile(b + "/bin/conflict-dir/inner", "ignored");
    test::writeFile(b + "/share/doc/b/README", "b readme");
    test::writeFile(b + "/share/doc/a/EXTRA", "b adds to a's folder");
    test::writeFile(b + "/lib/liba.so", "b's liba loses");
    test::makeSymlink("world", b + "/bin/world-link");
    std::filesystem::create_directories(b + "/share/empty");
    test::writeFile(c + "/bin", "c's bin is a file, not a folder");
    std::filesystem::create_directories(c + "/real-lib/sub");
    test::writeFile(c + "/real-lib/sub/libc.so", "libc");
    test::makeSymlink("real-lib", c + "/lib");  // a symlink to a folder counts as a folder
    test::writeFile(c + "/share/doc", "c's doc is a file; a's folder wins");
  }

  TempDir dir;
  std::string a, b, c;
};

TEST_F(SymlinkTree, MergesFoldersAndFirstPackageWins) {
  TarArchive t = parseTar(symlinkTar({a, b, c}));
  std::vector<std::string> names = test::entryNames(t);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "bin/",
                       "bin/conflict-dir",
                       "bin/hello",
                       "bin/world",
                       "bin/world-link",
                       "etc/",
                       "etc/a.conf",
                       "lib/",
                       "lib/liba.so",
                       "lib/sub/",
                       "lib/sub/libc.so",
                       "share/",
                       "share/doc/",
                       "share/doc/a/",
                       "share/doc/a/EXTRA",
                       "share/doc/a/README",
                       "share/doc/b/",
                       "share/doc/b/README",
                       "share/empty/",
                   }));
  std::map<std::string, std::string> links;
  for (const auto& e : t.entries) {
    SCOPED_TRACE(e.name);
    EXPECT_EQ(e.mtime, 1u);
    EXPECT_EQ(e.uid, 0u);
    if (e.name.back() == '/') {
      EXPECT_EQ(e.type, '5');
      EXPECT_EQ(e.mode, 0555u);
    } else {
      EXPECT_EQ(e.type, '2');
      EXPECT_EQ(e.linkName.front(), '/');  // absolute targets
      links[e.name] = e.linkName;
    }
  }
  EXPECT_EQ(links["bin/hello"], a + "/bin/hello");
  EXPECT_EQ(links["bin/conflict-dir"], a + "/bin/conflict-dir");
  EXPECT_EQ(links["bin/world"], b + "/bin/world");
  EXPECT_EQ(links["bin/world-link"], b + "/bin/world-link");
  EXPECT_EQ(links["etc/a.conf"], a + "/etc/a.conf");
  EXPECT_EQ(links["lib/liba.so"], a + "/lib/liba.so");
  EXPECT_EQ(links["lib/sub/libc.so"], c + "/lib/sub/libc.so");
  EXPECT_EQ(links["share/doc/a/EXTRA"], b + "/share/doc/a/EXTRA");
  EXPECT_EQ(links["share/doc/a/README"], a + "/share/doc/a/README");
  EXPECT_EQ(links["share/doc/b/README"], b + "/share/doc/b/README");
  // Every link leads to the file it names.
  for (const auto& [name, target] : links) EXPECT_TRUE(std::filesystem::exists(target)) << name;
}

TEST_F(SymlinkTree, TheNixSnapshotterRootIsMountPointsAndTheSymlinks) {
  // The store paths need not exist: only their names become folders.
  const std::string p1 = "/nix/store/0ljldvvxy8rzml5v4madnn6352ssyh72-app-1.0";
  const std::string p2 = "/nix/store/1mws24h95k67aq7wj0i2i3bnmg8qd3dl-glibc-2.37-8";
  StringSink sink;
  TarWriter tar(sink);
  writeNixSnapshotterRoot(tar, {p2, p1}, {a});
  TarArchive t = parseTar(sink.data());
  std::vector<std::string> names = test::entryNames(t);
  ASSERT_GE(names.size(), 5u);
  EXPECT_EQ(
      std::vector<std::string>(names.begin(), names.begin() + 4),
      (std::vector<std::string>{"nix/", "nix/store/", p1.substr(1) + "/", p2.substr(1) + "/"}));
  for (const auto& e : t.entries) {
    EXPECT_NE(e.type, '0') << e.name << ": no regular file in the layer";
    if (e.type == '5') EXPECT_EQ(e.size, 0u);
  }
  EXPECT_EQ(std::count(names.begin(), names.end(), "bin/hello"), 1);
  EXPECT_EQ(sink.data(), [&] {
    StringSink again;
    TarWriter t2(again);
    writeNixSnapshotterRoot(t2, {p1, p2}, {a});
    return again.data();
  }()) << "the same closure in any order gives the same bytes";
  StringSink bad;
  TarWriter t3(bad);
  EXPECT_THROW(writeNixSnapshotterRoot(t3, {"/nix/store/../etc"}, {}), std::invalid_argument);
}

TEST_F(SymlinkTree, NeverFollowsATopLevelSymlinkOutOfThePackage) {
  // A package whose lib is the build host's tree (`ln -s /usr $out/lib`) must
  // not put the host's files into the image.
  std::string host = dir / "host-tree";
  test::writeFile(host + "/secret.txt", "from the build host");
  std::string d = dir / "d-pkg";
  test::writeFile(d + "/bin/d", "d", 0755);
  test::makeSymlink(host, d + "/lib");
  test::makeSymlink("/", d + "/share");
  test::makeSymlink("/nix/store", d + "/etc");
  TarArchive t = parseTar(symlinkTar({d}));
  std::vector<std::string> names = test::entryNames(t);
  EXPECT_EQ(names, (std::vector<std::string>{"bin/", "bin/d"}));
  // c's lib is a symlink to a folder of its own: still followed.
  names = test::entryNames(parseTar(symlinkTar({c})));
  EXPECT_NE(std::find(names.begin(), names.end(), "lib/sub/libc.so"), names.end());
}

TEST_F(SymlinkTree, OrderOfRootsDecidesConflicts) {
  TarArchive t = parseTar(symlinkTar({b, a}));
  std::map<std::string, std::string> links;
  for (const auto& e : t.entries)
    if (e.type == '2') links[e.name] = e.linkName;
  EXPECT_EQ(links["bin/hello"], b + "/bin/hello");
  EXPECT_EQ(links["lib/liba.so"], b + "/lib/liba.so");
  // b's folder comes first now, so a's file of that name is dropped.
  EXPECT_EQ(links.count("bin/conflict-dir"), 0u);
  EXPECT_EQ(links["bin/conflict-dir/inner"], b + "/bin/conflict-dir/inner");
}

TEST_F(SymlinkTree, IsDeterministic) {
  EXPECT_EQ(symlinkTar({a, b, c}), symlinkTar({a, b, c}));
  EXPECT_NE(symlinkTar({a, b, c}), symlinkTar({b, a, c}));
}

TEST_F(SymlinkTree, RootsWithoutTheFoldersGiveAnEmptyArchive) {
  std::filesystem::create_directories(dir / "empty-pkg");
  EXPECT_EQ(symlinkTar({dir / "empty-pkg"}), std::string(1024, '\0'));
  EXPECT_EQ(symlinkTar({}), std::string(1024, '\0'));
}

TEST_F(SymlinkTree, SystemTarExtractsWorkingLinks) {
  std::string archive = dir / "links.tar";
  test::writeFile(archive, symlinkTar({a, b}));
  std::string out = dir / "root";
  std::filesystem::create_directories(out);
  auto r = test::runShell("tar -xf " + test::shellQuote(archive) + " -C " + test::shellQuote(out) +
                          " 2>&1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(test::readFile(out + "/bin/hello"), "a hello");
  EXPECT_EQ(test::readFile(out + "/bin/world"), "b world");
  EXPECT_EQ(test::readFile(out + "/share/doc/a/EXTRA"), "b adds to a's folder");
  EXPECT_TRUE(std::filesystem::is_symlink(out + "/bin/hello"));
  EXPECT_FALSE(std::filesystem::is_symlink(out + "/share/doc"));
  // Let the folders be removed by the TempDir.
  test::runShell("chmod -R u+w " + test::shellQuote(out));
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(ImageAccounts, PasswdGroupHomeAndWorkingFolderOwnedByTheUser) {
  ImageUser user{"app", 1000, 100};
  StringSink sink;
  TarWriter tar(sink);
  writeImageAccounts(tar, &user, "/srv/app/data");
  TarArchive t = test::parseTar(sink.data());
  EXPECT_EQ(test::entryNames(t),
            (std::vector<std::string>{"etc/", "etc/group", "etc/passwd", "home/", "home/app/",
                                      "srv/", "srv/app/", "srv/app/data/", "tmp/"}));
  auto entry = [&](const std::string& name) {
    for (const auto& e : t.entries)
      if (e.name == name) return e;
    ADD_FAILURE() << name;
    return test::TarEntry{};
  };
  EXPECT_EQ(entry("etc/passwd").data,
            "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/var/empty:/bin/false\n"
            "app:x:1000:100:app:/home/app:/bin/sh\n");
  EXPECT_EQ(entry("etc/group").data, "root:x:0:\nnobody:x:65534:\napp:x:100:\n");
  EXPECT_EQ(entry("home/app/").uid, 1000u);
  EXPECT_EQ(entry("home/app/").gid, 100u);
  EXPECT_EQ(entry("srv/app/data/").uid, 1000u);
  EXPECT_EQ(entry("srv/app/").uid, 0u);
  EXPECT_EQ(entry("tmp/").mode, 01777u);
  // The same inputs give the same bytes; a working folder in the store is
  // left to the store.
  StringSink again;
  TarWriter tar2(again);
  writeImageAccounts(tar2, &user, "/srv/app/data");
  EXPECT_EQ(again.data(), sink.data());
  StringSink store;
  TarWriter tar3(store);
  writeImageAccounts(tar3, nullptr, "/nix/store/x");
  EXPECT_EQ(test::entryNames(test::parseTar(store.data())),
            (std::vector<std::string>{"etc/", "etc/group", "etc/passwd", "tmp/"}));
}

}  // namespace
}  // namespace strata
