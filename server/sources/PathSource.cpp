#include "sources/PathSource.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "util/Digest.h"
#include "util/Error.h"
#include "util/Sha256.h"

namespace strata {
namespace {

void hashEntry(Sha256& h, const std::string& rel, const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0)
    throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
  // Length-prefixed fields keep the encoding unambiguous.
  auto field = [&h](const std::string& s) {
    std::string len = std::to_string(s.size()) + ":";
    h.update(len);
    h.update(s);
  };
  if (S_ISDIR(st.st_mode)) {
    field("d");
    field(rel);
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(path.c_str()), ::closedir);
    if (!d) throw std::runtime_error("cannot list '" + path + "': " + std::strerror(errno));
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d.get())) {
      std::string n = e->d_name;
      if (n != "." && n != ".." && n != ".git") names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) hashEntry(h, rel.empty() ? n : rel + "/" + n, path + "/" + n);
  } else if (S_ISLNK(st.st_mode)) {
    std::string target(4096, '\0');
    ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) throw std::runtime_error("cannot read link '" + path + "'");
    target.resize(static_cast<std::size_t>(n));
    field("l");
    field(rel);
    field(target);
  } else if (S_ISREG(st.st_mode)) {
    field((st.st_mode & 0111) ? "x" : "f");
    field(rel);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
    Sha256 content;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) content.update(buf, static_cast<std::size_t>(n));
    ::close(fd);
    field(content.hexDigest());
  }
  // Sockets, fifos and devices do not belong in a package set: ignored.
}

}  // namespace

std::string hashTree(const std::string& path) {
  Sha256 h;
  hashEntry(h, "", path);
  return h.hexDigest();
}

PathSource::PathSource(SourceConfig config) : config_(std::move(config)) {}

namespace {

void signEntry(Sha256& h, const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0)
    throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
  std::string line = path + "\n" + std::to_string(st.st_mode) + " " + std::to_string(st.st_size) +
                     " " + std::to_string(st.st_mtim.tv_sec) + "." +
                     std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino) + "\n";
  h.update(line);
  if (!S_ISDIR(st.st_mode)) return;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(path.c_str()), ::closedir);
  if (!d) throw std::runtime_error("cannot list '" + path + "': " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != ".." && n != ".git") names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) signEntry(h, path + "/" + n);
}

}  // namespace

std::string treeSignature(const std::string& path) {
  Sha256 h;
  signEntry(h, path);
  return h.hexDigest();
}

Revision PathSource::resolve(const std::string& tag) {
  Revision current;
  try {
    std::string signature = treeSignature(config_.path);
    std::lock_guard<std::mutex> lock(mutex_);
    if (signature != lastSignature_) {
      lastHash_ = hashTree(config_.path);
      lastSignature_ = signature;
    }
    current = Revision{lastHash_, config_.path};
  } catch (const std::runtime_error& e) {
    throw Error(ErrorKind::Internal,
                "source '" + config_.name + "' cannot be read: its path is missing or unreadable",
                e.what());
  }
  // A folder has two tags: latest and its revision (the pinned name of the
  // pin API), which must mean that revision: once the folder changed, it is gone.
  if (tag == "latest" || tag == current.id) return current;
  if (isSha256Hex(tag))
    throw Error(ErrorKind::UnknownManifest, "revision " + tag + " of source '" + config_.name +
                                                "' is gone: its folder has changed since");
  throw Error(ErrorKind::UnknownManifest,
              "tag '" + tag + "' is unknown: source '" + config_.name +
                  "' is a folder, whose tags are 'latest' and its revision " + current.id);
}

Revision PathSource::checkout(const std::string& revisionId) {
  Revision current = resolve("latest");
  if (current.id != revisionId)
    throw Error(ErrorKind::UnknownManifest, "revision " + revisionId + " of source '" +
                                                config_.name +
                                                "' is gone: its folder has changed since");
  return current;
}

std::vector<SourceRef> PathSource::refs() {
  std::string revision = resolve("latest").id;
  return {{"latest", "latest", revision}, {revision, "revision", revision}};
}

}  // namespace strata
