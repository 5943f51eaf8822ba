#include "nix/ChildProcess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "util/Cancellation.h"

extern char** environ;

namespace strata {
namespace {

struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

std::vector<std::string> buildEnv(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos && extra.count(entry.substr(0, eq))) continue;
    env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

/// True when `program` (a path, or a name looked up in PATH) is executable.
bool isExecutableInPath(const std::string& program, const std::map<std::string, std::string>& env) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  auto it = env.find("PATH");
  const char* fromEnv = ::getenv("PATH");
  std::string path = it != env.end() ? it->second : fromEnv != nullptr ? fromEnv : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= path.size();) {
    auto colon = std::min(path.find(':', start), path.size());
    std::string dir = path.substr(start, colon - start);
    if (::access(((dir.empty() ? "." : dir) + "/" + program).c_str(), X_OK) == 0) return true;
    start = colon + 1;
  }
  return false;
}

}  // namespace

ChildResult runChild(const std::vector<std::string>& argv, const ChildOptions& options) {
  if (argv.empty()) throw std::runtime_error("runChild: empty argument vector");
  if (options.cancel != nullptr && options.cancel->cancelled()) {
    ChildResult never;
    never.cancelled = true;
    return never;
  }
  int outPipe[2], errPipe[2];
  if (::pipe2(outPipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  Fd outRead{outPipe[0]}, outWrite{outPipe[1]};
  if (::pipe2(errPipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(strerror(errno)));
  Fd errRead{errPipe[0]}, errWrite{errPipe[1]};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, outWrite.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, errWrite.fd, 2);
  // Sockets and files of the server must not leak into Nix.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  // PR_SET_PDEATHSIG cannot be set through posix_spawn: setpriv sets it and
  // executes the program (the signal survives exec). It fires when the
  // thread that spawned the child ends, and this one waits for the child.
  // SIGINT, as for a timeout: Nix then stops its sandboxed builders (which
  // a SIGKILL of Nix would leave running) and releases its locks.
  // setpriv also drops to options.runAs (it sets the death signal after
  // changing the user, which would otherwise clear it).
  static const std::string kSetpriv = "/usr/bin/setpriv";
  std::vector<std::string> command;
  if (options.runAs && ::access(kSetpriv.c_str(), X_OK) != 0)
    throw std::runtime_error("cannot run '" + argv[0] + "' as another user: " + kSetpriv +
                             " (util-linux) is missing");
  if ((options.dieWithParent || options.runAs) && ::access(kSetpriv.c_str(), X_OK) == 0) {
    // A missing program must still fail here, not as setpriv's exit status.
    if (!isExecutableInPath(argv[0], options.extraEnv))
      throw std::runtime_error("cannot start '" + argv[0] + "': " + std::string(strerror(ENOENT)));
    command = {kSetpriv};
    if (options.dieWithParent) command.insert(command.end(), {"--pdeathsig", "INT"});
    if (options.runAs)
      command.insert(command.end(), {"--reuid", std::to_string(options.runAs->first), "--regid",
                                     std::to_string(options.runAs->second), "--clear-groups"});
    command.push_back("--");
  }
  command.insert(command.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (const auto& a : command) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto envStrings = buildEnv(options.extraEnv);
  std::vector<char*> env;
  for (auto& e : envStrings) env.push_back(e.data());
  env.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    throw std::runtime_error("cannot start '" + argv[0] + "': " + std::string(strerror(rc)));
  outWrite.reset();
  errWrite.reset();

  ChildResult result;
  std::string errBuf;   // incomplete stderr line
  std::size_t cut = 0;  // bytes of the current stderr line dropped past the cap
  const std::size_t maxLine = std::max<std::size_t>(options.maxStderrLineBytes, 1);
  auto emitLine = [&](std::string line) {
    if (cut > 0) line += " [" + std::to_string(cut) + " more bytes of this line cut]";
    cut = 0;
    options.onStderrLine(line);
  };
  char buf[65536];
  bool outOpen = true, errOpen = true;
  while (outOpen || errOpen) {
    auto now = std::chrono::steady_clock::now();
    bool cancelled = options.cancel != nullptr && options.cancel->cancelled();
    if (now >= options.deadline || cancelled) {
      result.timedOut = !cancelled;
      result.cancelled = cancelled;
      // SIGINT first: Nix then stops its builders and releases its locks. A
      // SIGKILL would leave a sandboxed builder running on its own until it
      // ends. SIGKILL follows below when the group outlives a grace period.
      ::kill(-pid, SIGINT);
      break;
    }
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.deadline - now).count();
    int timeout = left > 1000 ? 1000 : static_cast<int>(left);
    pollfd fds[2];
    int n = 0;
    if (outOpen) fds[n++] = {outRead.fd, POLLIN, 0};
    if (errOpen) fds[n++] = {errRead.fd, POLLIN, 0};
    int ready = ::poll(fds, n, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      ::kill(-pid, SIGKILL);
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      bool isOut = fds[i].fd == outRead.fd;
      if (got <= 0) {
        (isOut ? outOpen : errOpen) = false;
        continue;
      }
      if (isOut) {
        if (result.out.size() + static_cast<std::size_t>(got) > options.maxOutputBytes) {
          ::kill(-pid, SIGKILL);
          result.errTail +=
              "\noutput exceeded " + std::to_string(options.maxOutputBytes) + " bytes";
          outOpen = errOpen = false;
          break;
        }
        result.out.append(buf, static_cast<std::size_t>(got));
      } else {
        result.errTail.append(buf, static_cast<std::size_t>(got));
        if (result.errTail.size() > 2 * options.stderrTailBytes)
          result.errTail.erase(0, result.errTail.size() - options.stderrTailBytes);
        if (options.onStderrLine) {
          std::string_view chunk(buf, static_cast<std::size_t>(got));
          while (!chunk.empty()) {
            auto newline = chunk.find('\n');
            auto piece = chunk.substr(0, newline);
            // Keep up to the cap; count the rest of an overlong line.
            std::size_t room = maxLine > errBuf.size() ? maxLine - errBuf.size() : 0;
            errBuf.append(piece.substr(0, room));
            cut += piece.size() - std::min(room, piece.size());
            if (newline == std::string_view::npos) break;
            emitLine(std::move(errBuf));
            errBuf.clear();
            chunk.remove_prefix(newline + 1);
          }
        }
      }
    }
  }
  if (options.onStderrLine && (!errBuf.empty() || cut > 0)) emitLine(std::move(errBuf));
  if (result.errTail.size() > options.stderrTailBytes)
    result.errTail.erase(0, result.errTail.size() - options.stderrTailBytes);

  int status = 0;
  bool reaped = false;
  if (result.timedOut || result.cancelled) {
    auto graceEnd = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (true) {
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        reaped = true;
        break;
      }
      if (w < 0 && errno != EINTR) break;
      if (std::chrono::steady_clock::now() >= graceEnd) {
        ::kill(-pid, SIGKILL);
        break;
      }
      ::usleep(20000);
    }
  }
  while (!reaped && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // Children of the child (nix builders) may still hold the group: end them.
  ::kill(-pid, SIGKILL);
  if (!result.timedOut && !result.cancelled && WIFEXITED(status))
    result.exitCode = WEXITSTATUS(status);
  return result;
}

}  // namespace strata
