#include "layers/LayerArchive.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>

namespace strata {
namespace {

std::runtime_error sysError(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " '" + path + "': " + std::strerror(errno));
}

std::vector<std::string> sortedEntries(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) throw sysError("cannot list", dir);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string readLink(const std::string& path) {
  std::string buf(4096, '\0');
  ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0) throw sysError("cannot read link", path);
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

void writeFile(TarWriter& tar, const std::string& name, const std::string& path,
               const struct stat& st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw sysError("cannot open", path);
  std::unique_ptr<int, void (*)(int*)> guard(&fd, [](int* f) { ::close(*f); });
  auto size = static_cast<std::uint64_t>(st.st_size);
  tar.beginFile(name, st.st_mode & 0777, size);
  static thread_local std::vector<char> buf(1 << 20);
  std::uint64_t left = size;
  while (left > 0) {
    ssize_t n = ::read(fd, buf.data(), std::min<std::uint64_t>(left, buf.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sysError("cannot read", path);
    }
    if (n == 0) break;
    tar.data(buf.data(), static_cast<std::size_t>(n));
    left -= static_cast<std::uint64_t>(n);
  }
  tar.endFile();
}

/// The merged view of several packages' trees.
struct Node {
  bool isDir = false;
  std::string target;  // symlinks: absolute path in the store
  std::map<std::string, Node> children;
};

bool isDirectory(const std::string& path, bool follow) {
  struct stat st;
  int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  return rc == 0 && S_ISDIR(st.st_mode);
}

/// True when `path` is a folder of the package `root` or of the store: a
/// package's top-level `lib` may be a symlink to another folder of its own or
/// of another store path, never one to the build host's tree (`lib -> /usr`).
bool isFolderInStore(const std::string& path, const std::string& root) {
  if (!isDirectory(path, true)) return false;
  std::unique_ptr<char, void (*)(void*)> real(::realpath(path.c_str(), nullptr), std::free);
  std::unique_ptr<char, void (*)(void*)> realRoot(::realpath(root.c_str(), nullptr), std::free);
  if (!real || !realRoot) return false;
  auto inside = [](const std::string& p, const std::string& folder) {
    return p.size() > folder.size() && p.compare(0, folder.size(), folder) == 0 &&
           p[folder.size()] == '/';
  };
  return inside(real.get(), "/nix/store") || inside(real.get(), realRoot.get());
}

void merge(Node& into, const std::string& source) {
  for (const auto& entry : sortedEntries(source)) {
    std::string path = source + "/" + entry;
    auto it = into.children.find(entry);
    if (isDirectory(path, false)) {
      if (it == into.children.end()) {
        Node dir;
        dir.isDir = true;
        it = into.children.emplace(entry, std::move(dir)).first;
      }
      if (it->second.isDir) merge(it->second, path);  // else: a file of an earlier package wins
    } else if (it == into.children.end()) {
      Node link;
      link.target = path;
      into.children.emplace(entry, std::move(link));
    }
  }
}

void emit(TarWriter& tar, const std::string& name, const Node& node) {
  if (!node.isDir) {
    tar.symlink(name, node.target);
    return;
  }
  tar.directory(name, 0555);
  for (const auto& [child, sub] : node.children) emit(tar, name + "/" + child, sub);
}

/// The part of `path` after "/nix/store/"; throws for anything that is not
/// one store path.
std::string storeBaseName(const std::string& path) {
  std::string base = path.rfind("/nix/store/", 0) == 0 ? path.substr(11) : std::string();
  if (base.empty() || base == "." || base == ".." || base.find('/') != std::string::npos)
    throw std::invalid_argument("not a store path: " + path);
  return base;
}

}  // namespace

void writeTree(TarWriter& tar, const std::string& name, const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) throw sysError("cannot stat", path);
  if (S_ISDIR(st.st_mode)) {
    tar.directory(name, st.st_mode & 0777);
    for (const auto& entry : sortedEntries(path))
      writeTree(tar, name + "/" + entry, path + "/" + entry);
  } else if (S_ISLNK(st.st_mode)) {
    tar.symlink(name, readLink(path));
  } else if (S_ISREG(st.st_mode)) {
    writeFile(tar, name, path, st);
  } else {
    throw std::runtime_error("'" + path + "' is neither a file, a directory nor a symlink");
  }
}

void writeStorePaths(TarWriter& tar, const std::vector<std::string>& storePaths) {
  tar.directory("nix", 0555);
  tar.directory("nix/store", 0555);
  std::vector<std::string> sorted = storePaths;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& p : sorted) {
    storeBaseName(p);
    writeTree(tar, p.substr(1), p);
  }
  tar.finish();
}

namespace {

/// The entries of writeSymlinkTree, without the end of the archive.
void emitSymlinkTree(TarWriter& tar, const std::vector<std::string>& roots) {
  static const char* kFolders[] = {"bin", "etc", "lib", "share"};
  Node top;
  top.isDir = true;
  for (const char* folder : kFolders) {
    Node dir;
    dir.isDir = true;
    bool any = false;
    for (const auto& root : roots) {
      std::string path = root + "/" + folder;
      if (!isFolderInStore(path, root)) continue;
      merge(dir, path);
      any = true;
    }
    if (any) top.children.emplace(folder, std::move(dir));
  }
  for (const auto& [name, node] : top.children) emit(tar, name, node);
}

}  // namespace

void writeSymlinkTree(TarWriter& tar, const std::vector<std::string>& roots) {
  emitSymlinkTree(tar, roots);
  tar.finish();
}

void writeNixSnapshotterRoot(TarWriter& tar, const std::vector<std::string>& storePaths,
                             const std::vector<std::string>& roots) {
  tar.directory("nix", 0555);
  tar.directory("nix/store", 0555);
  std::vector<std::string> sorted = storePaths;
  std::sort(sorted.begin(), sorted.end());
  for (const auto& p : sorted) tar.directory("nix/store/" + storeBaseName(p), 0555);
  emitSymlinkTree(tar, roots);
  tar.finish();
}

void writeImageAccounts(TarWriter& tar, const ImageUser* user, const std::string& workingDir) {
  std::string passwd =
      "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/var/empty:/bin/false\n";
  std::string group = "root:x:0:\nnobody:x:65534:\n";
  TarOwner owner;
  if (user != nullptr) {
    owner = {user->uid, user->gid};
    passwd += user->name + ":x:" + std::to_string(user->uid) + ":" + std::to_string(user->gid) +
              ":" + user->name + ":" + user->home() + ":/bin/sh\n";
    group += user->name + ":x:" + std::to_string(user->gid) + ":\n";
  }
  // Folders by path: a parent sorts before its children, so it comes first.
  struct Folder {
    unsigned mode;
    TarOwner owner;
  };
  std::map<std::string, Folder> folders{{"etc", {0755, {}}}, {"tmp", {01777, {}}}};
  auto addWithParents = [&](const std::string& absolute, TarOwner leafOwner) {
    std::string path = absolute.substr(1);
    for (auto slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
      folders.emplace(path.substr(0, slash), Folder{0755, {}});
    folders[path] = Folder{0755, leafOwner};
  };
  if (user != nullptr) addWithParents(user->home(), owner);
  // A working folder in the store is the store's; "/" needs nothing.
  if (workingDir.size() > 1 && workingDir.rfind("/nix/", 0) != 0 && workingDir != "/nix")
    addWithParents(workingDir, owner);
  auto file = [&](const std::string& name, const std::string& text) {
    tar.beginFile(name, 0644, text.size());
    tar.data(text.data(), text.size());
    tar.endFile();
  };
  for (const auto& [path, folder] : folders) {
    tar.directory(path, folder.mode, folder.owner);
    if (path == "etc") {
      file("etc/group", group);
      file("etc/passwd", passwd);
    }
  }
  tar.finish();
}

}  // namespace strata
