// The layer tar writer on odd file trees (layers/TarWriter, LayerArchive).
// The input decodes into a small tree, made in a temporary folder: names
// with any byte but '/' and NUL, long names, symlinks with any target,
// hardlinks, empty directories, now and then a FIFO. Then:
//  - writeTree (what writeStorePaths does per store path) must give the
//    same bytes twice, and a tar that an independent reader (below) parses
//    back into exactly the tree: names, types, modes, contents, link targets;
//  - writeSymlinkTree over the tree's top folders as package roots must
//    give the same bytes twice, each name once, the first package providing
//    a name winning, and no link into a folder outside the packages.

#include <fcntl.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "FuzzCheck.h"
#include "layers/LayerArchive.h"
#include "layers/TarWriter.h"
#include "util/ByteSink.h"

namespace strata {
namespace {

using fuzz::check;
using fuzz::fail;

// ---------------------------------------------------------------------------
// A tar reader of its own: ustar headers, PAX 'x' records, nothing else.

struct Entry {
  char type = 0;
  std::string name;
  unsigned mode = 0;
  std::string data;
  std::string link;
};

std::uint64_t octalField(const char* field, std::size_t width, const std::string& what) {
  // Written as width-1 octal digits and a NUL.
  std::uint64_t v = 0;
  for (std::size_t i = 0; i + 1 < width; ++i) {
    char c = field[i];
    if (c < '0' || c > '7') fail("a numeric tar field is zero-padded octal", what);
    v = v * 8 + static_cast<std::uint64_t>(c - '0');
  }
  if (field[width - 1] != '\0') fail("a numeric tar field ends with NUL", what);
  return v;
}

std::string textField(const char* field, std::size_t width) {
  std::size_t n = 0;
  while (n < width && field[n] != '\0') ++n;
  return std::string(field, n);
}

/// PAX records: "<len> <key>=<value>\n", <len> counting the whole record.
std::map<std::string, std::string> paxRecords(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at < body.size()) {
    auto space = body.find(' ', at);
    if (space == std::string::npos || space == at || space - at > 20)
      fail("a PAX record starts with its length", body);
    std::uint64_t len = 0;
    for (std::size_t i = at; i < space; ++i) {
      if (body[i] < '0' || body[i] > '9') fail("a PAX length is decimal", body);
      len = len * 10 + static_cast<std::uint64_t>(body[i] - '0');
    }
    if (len < space - at + 3 || at + len > body.size()) fail("a PAX length fits", body);
    std::string record = body.substr(space + 1, at + len - space - 1);
    if (record.back() != '\n') fail("a PAX record ends with a newline", body);
    record.pop_back();
    auto eq = record.find('=');
    if (eq == std::string::npos || eq == 0) fail("a PAX record is key=value", body);
    if (!out.emplace(record.substr(0, eq), record.substr(eq + 1)).second)
      fail("a PAX key appears once", body);
    at += len;
  }
  return out;
}

std::vector<Entry> readTar(const std::string& tar) {
  constexpr std::size_t kBlock = 512;
  check(tar.size() % kBlock == 0 && tar.size() >= 2 * kBlock, "a tar is whole blocks", "");
  std::vector<Entry> out;
  std::map<std::string, std::string> pax;
  bool havePax = false;
  std::size_t at = 0;
  while (true) {
    check(at + kBlock <= tar.size(), "the archive ends with two zero blocks", "");
    const char* h = tar.data() + at;
    if (std::all_of(h, h + kBlock, [](char c) { return c == 0; })) {
      check(!havePax && at + 2 * kBlock == tar.size() &&
                std::all_of(h + kBlock, h + 2 * kBlock, [](char c) { return c == 0; }),
            "two zero blocks end the archive, and nothing follows", "");
      return out;
    }
    std::string name = textField(h, 100);
    unsigned sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i)
      sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    std::uint64_t stored = 0;
    for (std::size_t i = 148; i < 154; ++i) {
      if (h[i] < '0' || h[i] > '7') fail("the checksum is octal", name);
      stored = stored * 8 + static_cast<std::uint64_t>(h[i] - '0');
    }
    check(h[154] == '\0' && h[155] == ' ', "the checksum ends with NUL and space", name);
    check(stored == sum, "the header checksum is right", name);
    check(std::string(h + 257, 6) == std::string("ustar\0", 6) && h[263] == '0' && h[264] == '0',
          "ustar magic and version", name);
    check(octalField(h + 108, 8, name) == 0 && octalField(h + 116, 8, name) == 0 &&
              textField(h + 265, 32).empty() && textField(h + 297, 32).empty(),
          "owner is 0:0 without names", name);
    check(octalField(h + 136, 12, name) == TarWriter::kMtime, "mtime is fixed", name);
    Entry e;
    e.type = h[156];
    e.mode = static_cast<unsigned>(octalField(h + 100, 8, name));
    e.name = name;
    e.link = textField(h + 157, 100);
    std::uint64_t size = octalField(h + 124, 12, name);
    at += kBlock;
    std::uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;
    check(at + padded <= tar.size(), "entry data fits the archive", name);
    std::string body = tar.substr(at, size);
    check(std::all_of(tar.begin() + static_cast<std::ptrdiff_t>(at + size),
                      tar.begin() + static_cast<std::ptrdiff_t>(at + padded),
                      [](char c) { return c == 0; }),
          "data is padded with zeros", name);
    at += padded;
    if (e.type == 'x') {
      check(!havePax, "one PAX header per entry", name);
      pax = paxRecords(body);
      havePax = true;
      continue;
    }
    check(e.type == '0' || e.type == '2' || e.type == '5', "files, symlinks and directories only",
          name);
    check(e.type == '0' || size == 0, "only files have data", name);
    if (havePax) {
      for (const auto& [key, value] : pax) {
        if (key == "path")
          e.name = value;
        else if (key == "linkpath")
          e.link = value;
        else
          fail("PAX keys are path and linkpath (sizes here are small)", key);
      }
      pax.clear();
      havePax = false;
    }
    e.data = std::move(body);
    out.push_back(std::move(e));
  }
}

std::string tarOf(const std::function<void(TarWriter&)>& write) {
  StringSink sink;
  TarWriter tar(sink);
  write(tar);
  return sink.data();
}

// ---------------------------------------------------------------------------
// The tree the input asks for, made on disk.

struct Node {
  enum class Kind { Dir, File, Symlink, Fifo } kind = Kind::Dir;
  std::string path;  // absolute
  std::string rel;   // below the tree's top, "" for the top
  unsigned mode = 0755;
  std::string content;  // files: contents; symlinks: target
  std::size_t parent = 0;
};

class Tree {
 public:
  explicit Tree(std::string top) : top_(std::move(top)) {
    std::filesystem::remove_all(top_);
    if (::mkdir(top_.c_str(), 0700) != 0) fail("cannot create the tree's top", top_);
    nodes_.push_back({Node::Kind::Dir, top_, "", 0755, "", 0});
  }
  ~Tree() {
    // Back to writable folders, or remove_all fails for a user that is not root.
    for (const auto& n : nodes_)
      if (n.kind == Node::Kind::Dir) ::chmod(n.path.c_str(), 0700);
    std::filesystem::remove_all(top_);
  }

  void build(FuzzedDataProvider& in) {
    static const unsigned kDirModes[] = {0755, 0555, 0700, 0775};
    static const unsigned kFileModes[] = {0644, 0755, 0444, 0600, 0700};
    while (in.remaining_bytes() > 0 && nodes_.size() < 40) {
      // Mostly folders and files; a FIFO is rare, as it makes writeTree refuse.
      int kind = in.ConsumeIntegralInRange(0, 63);
      std::vector<std::size_t> dirs;
      for (std::size_t i = 0; i < nodes_.size(); ++i)
        if (nodes_[i].kind == Node::Kind::Dir) dirs.push_back(i);
      std::size_t parent = dirs[in.ConsumeIntegralInRange<std::size_t>(0, dirs.size() - 1)];
      std::string name = entryName(in.ConsumeRandomLengthString(300));
      Node n;
      n.parent = parent;
      n.path = nodes_[parent].path + "/" + name;
      n.rel = nodes_[parent].rel.empty() ? name : nodes_[parent].rel + "/" + name;
      if (kind < 24) {
        n.kind = Node::Kind::Dir;
        n.mode = kDirModes[in.ConsumeIntegralInRange<std::size_t>(0, 3)];
        if (::mkdir(n.path.c_str(), 0700) != 0) continue;
      } else if (kind < 48) {
        n.kind = Node::Kind::File;
        n.mode = kFileModes[in.ConsumeIntegralInRange<std::size_t>(0, 4)];
        n.content = in.ConsumeRandomLengthString(2048);
        if (!makeFile(n)) continue;
      } else if (kind < 60) {
        n.kind = Node::Kind::Symlink;
        n.content = linkTarget(in.ConsumeRandomLengthString(300));
        if (::symlink(n.content.c_str(), n.path.c_str()) != 0) continue;
        n.mode = 0777;
      } else if (kind < 63) {
        // A hardlink is one more name of a file: the tar holds it as a file.
        std::vector<std::size_t> files;
        for (std::size_t i = 0; i < nodes_.size(); ++i)
          if (nodes_[i].kind == Node::Kind::File) files.push_back(i);
        if (files.empty()) continue;
        const Node& target =
            nodes_[files[in.ConsumeIntegralInRange<std::size_t>(0, files.size() - 1)]];
        n.kind = Node::Kind::File;
        n.mode = target.mode;
        n.content = target.content;
        if (::link(target.path.c_str(), n.path.c_str()) != 0) continue;
      } else {
        n.kind = Node::Kind::Fifo;
        if (::mkfifo(n.path.c_str(), 0644) != 0) continue;
      }
      nodes_.push_back(std::move(n));
    }
    for (const auto& n : nodes_)
      if (n.kind == Node::Kind::Dir) ::chmod(n.path.c_str(), n.mode);
  }

  const std::string& top() const { return top_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  bool hasFifo() const {
    return std::any_of(nodes_.begin(), nodes_.end(),
                       [](const Node& n) { return n.kind == Node::Kind::Fifo; });
  }

  /// The entries writeTree must write for the tree under the name `as`:
  /// depth-first, each folder's entries in byte order.
  std::vector<Entry> expected(const std::string& as) const {
    std::vector<Entry> out;
    append(0, as, out);
    return out;
  }

 private:
  static std::string entryName(std::string name) {
    name.erase(std::remove_if(name.begin(), name.end(), [](char c) { return c == '/' || !c; }),
               name.end());
    if (name.empty() || name == "." || name == "..") name += "_";
    if (name.size() > 255) name.resize(255);
    return name;
  }

  static std::string linkTarget(std::string target) {
    target.erase(std::remove(target.begin(), target.end(), '\0'), target.end());
    if (target.empty()) target = "x";
    // Kept out of this machine's Nix store, which writeSymlinkTree would
    // follow a package's top folder into (and archive, slowly).
    for (std::size_t at; (at = target.find("nix")) != std::string::npos;) target[at + 1] = 'u';
    return target;
  }

  static bool makeFile(const Node& n) {
    int fd = ::open(n.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    bool ok =
        ::write(fd, n.content.data(), n.content.size()) == static_cast<ssize_t>(n.content.size()) &&
        ::fchmod(fd, n.mode) == 0;
    ::close(fd);
    if (!ok) fail("cannot write a file of the tree", n.path);
    return true;
  }

  void append(std::size_t i, const std::string& name, std::vector<Entry>& out) const {
    const Node& n = nodes_[i];
    Entry e;
    e.name = name;
    e.mode = n.mode;
    switch (n.kind) {
      case Node::Kind::Dir: {
        e.type = '5';
        e.name += "/";
        out.push_back(e);
        std::map<std::string, std::size_t> children;
        for (std::size_t c = 1; c < nodes_.size(); ++c)
          if (nodes_[c].parent == i) children.emplace(nodes_[c].path.substr(n.path.size() + 1), c);
        for (const auto& [child, index] : children) append(index, name + "/" + child, out);
        return;
      }
      case Node::Kind::File:
        e.type = '0';
        e.data = n.content;
        break;
      case Node::Kind::Symlink:
        e.type = '2';
        e.link = n.content;
        break;
      case Node::Kind::Fifo:
        fail("a FIFO has no tar entry", n.path);
    }
    out.push_back(e);
  }

  std::string top_;
  std::vector<Node> nodes_;
};

std::string entryText(const Entry& e) {
  return std::string(1, e.type) + " " + std::to_string(e.mode) + " " + e.name + " -> " + e.link +
         " (" + std::to_string(e.data.size()) + " bytes)";
}

void checkWriteTree(const Tree& tree) {
  // A store path's name, as writeStorePaths gives it.
  const std::string as = "nix/store/0123456789abcdfghijklmnpqrsvwxyz-fuzz";
  auto write = [&](TarWriter& tar) {
    writeTree(tar, as, tree.top());
    tar.finish();
  };
  if (tree.hasFifo()) {
    bool refused = false;
    try {
      tarOf(write);
    } catch (const std::runtime_error&) {
      refused = true;
    }
    check(refused, "a tree with a FIFO is refused", tree.top());
    return;
  }
  std::string a = tarOf(write);
  check(tarOf(write) == a, "the same tree gives the same bytes", tree.top());
  std::vector<Entry> got = readTar(a);
  std::vector<Entry> want = tree.expected(as);
  check(got.size() == want.size(), "one entry per node of the tree",
        std::to_string(got.size()) + " entries, " + std::to_string(want.size()) + " nodes");
  for (std::size_t i = 0; i < got.size(); ++i)
    check(got[i].type == want[i].type && got[i].name == want[i].name &&
              got[i].mode == want[i].mode && got[i].link == want[i].link &&
              got[i].data == want[i].data,
          "each entry is the node it stands for",
          entryText(got[i]) + " instead of " + entryText(want[i]));
}

// ---------------------------------------------------------------------------
// writeSymlinkTree over the tree's top folders.

bool isDir(const std::string& path, bool follow) {
  struct stat st;
  return (follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) == 0 &&
         S_ISDIR(st.st_mode);
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool strictlyInside(const std::string& path, const std::string& folder) {
  return path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 &&
         path[folder.size()] == '/';
}

/// A package root and which of bin, etc, lib and share it contributes: a
/// folder of the package, possibly through a symlink inside it.
struct Package {
  std::string root;
  std::set<std::string> folders;

  explicit Package(std::string path) : root(std::move(path)) {
    std::error_code ec;
    auto realRoot = std::filesystem::canonical(root, ec).string();
    for (const char* top : {"bin", "etc", "lib", "share"}) {
      std::string folder = root + "/" + top;
      if (ec || !isDir(folder, true)) continue;
      std::error_code folderEc;
      auto real = std::filesystem::canonical(folder, folderEc).string();
      if (!folderEc && strictlyInside(real, realRoot)) folders.insert(top);
    }
  }

  /// Whether the package provides `name` ("bin/x/y"): its top folder counts
  /// and every folder on the way below it is a real folder.
  bool provides(const std::string& name) const {
    auto slash = name.find('/');
    if (!folders.count(name.substr(0, slash))) return false;
    if (slash == std::string::npos) return true;
    std::string at = root + "/" + name.substr(0, slash);
    std::string rest = name.substr(slash + 1);
    for (std::size_t next; (next = rest.find('/')) != std::string::npos;) {
      at += "/" + rest.substr(0, next);
      rest.erase(0, next + 1);
      if (!isDir(at, false)) return false;
    }
    return exists(at + "/" + rest);
  }
};

void checkSymlinkTree(const Tree& tree) {
  std::vector<std::string> roots;
  for (const auto& n : tree.nodes())
    if (n.kind == Node::Kind::Dir && n.parent == 0 && !n.rel.empty() && roots.size() < 3)
      roots.push_back(n.path);
  if (roots.empty()) return;
  std::vector<Package> packages(roots.begin(), roots.end());
  auto write = [&](TarWriter& tar) { writeSymlinkTree(tar, roots); };
  std::string a = tarOf(write);
  check(tarOf(write) == a, "the same packages give the same symlink layer", tree.top());

  std::set<std::string> dirs, links;
  for (const Entry& e : readTar(a)) {
    bool dir = e.type == '5';
    check(dir || e.type == '2', "a symlink layer holds folders and symlinks", e.name);
    std::string name = dir ? e.name.substr(0, e.name.size() - 1) : e.name;
    check(!dirs.count(name) && !links.count(name), "each name once", name);
    auto slash = name.rfind('/');
    if (slash == std::string::npos)
      check(dir && (name == "bin" || name == "etc" || name == "lib" || name == "share"),
            "the top holds the folders bin, etc, lib and share", name);
    else
      check(dirs.count(name.substr(0, slash)) == 1, "a folder comes before its entries", name);
    std::size_t first = 0;
    while (first < packages.size() && !packages[first].provides(name)) ++first;
    check(first < roots.size(), "every name comes from a package that provides it", name);
    if (dir) {
      check(e.mode == 0555, "merged folders are read-only", name);
      check(isDir(roots[first] + "/" + name, slash == std::string::npos),
            "the first package providing a folder has a folder there", name);
      dirs.insert(name);
    } else {
      check(e.link == roots[first] + "/" + name,
            "a symlink points into the first package providing the name", e.link);
      check(!isDir(e.link, false), "symlinks stand for files and symlinks", e.link);
      links.insert(name);
    }
  }

  // And every name a package provides is there, unless it lies below a name
  // an earlier package provides as a file.
  auto shadowed = [&](std::string name) {
    for (std::size_t slash; (slash = name.rfind('/')) != std::string::npos;) {
      name.resize(slash);
      if (links.count(name)) return true;
    }
    return false;
  };
  for (const auto& package : packages) {
    std::string prefix = package.root.substr(tree.top().size() + 1) + "/";
    for (const auto& n : tree.nodes()) {
      if (n.rel.compare(0, prefix.size(), prefix) != 0) continue;
      std::string name = n.rel.substr(prefix.size());
      if (!package.provides(name)) continue;
      check(dirs.count(name) || links.count(name) || shadowed(name),
            "every name a package provides is in the layer", name);
    }
  }
}

/// The fuzzer's own folder, removed when it exits normally (after a crash it
/// keeps the tree of the crashing input).
const std::string& temporaryFolder() {
  static std::string folder = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/strata-fuzz-tar-XXXXXX";
    if (!::mkdtemp(pattern.data())) fail("cannot create a temporary folder", pattern);
    return pattern;
  }();
  static bool registered = std::atexit([] { ::rmdir(folder.c_str()); }) == 0;
  (void)registered;
  return folder;
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata;
  static const std::string& base = temporaryFolder();
  FuzzedDataProvider in(data, size);
  Tree tree(base + "/t");
  tree.build(in);
  checkWriteTree(tree);
  checkSymlinkTree(tree);
  return 0;
}
