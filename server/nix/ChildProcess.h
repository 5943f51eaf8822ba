#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata {

class Cancellation;

struct ChildResult {
  int exitCode = -1;       ///< exit status, or -1 when killed
  bool timedOut = false;   ///< killed because the deadline passed
  bool cancelled = false;  ///< killed (or never started) because the server stops
  std::string out;         ///< all of stdout (bounded by maxOutputBytes)
  std::string errTail;     ///< the last stderrTailBytes of stderr
};

struct ChildOptions {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::size_t maxOutputBytes = 64 << 20;
  std::size_t stderrTailBytes = 16 << 10;
  std::map<std::string, std::string> extraEnv;
  /// Called with each complete stderr line as it arrives (build logs).
  std::function<void(const std::string&)> onStderrLine;
  /// A stderr line longer than this (a progress bar redrawn with '\r', a
  /// builder printing megabytes without a newline) is reported cut to this
  /// size, followed by how many bytes were cut: it never costs more memory.
  std::size_t maxStderrLineBytes = 16 << 10;
  /// The child is interrupted (SIGINT) when the server dies, even by SIGKILL
  /// (through util-linux's setpriv --pdeathsig): a Nix left running would
  /// hold its locks, and a restarted server's builds would wait on them.
  bool dieWithParent = false;
  /// Checked about once a second: once set, the child is stopped as for a
  /// timeout (and not started at all when set before).
  const Cancellation* cancel = nullptr;
  /// Run as this user and group (and no supplementary groups) instead of
  /// the server's: the server must be root.
  std::optional<std::pair<unsigned, unsigned>> runAs;
};

/// Runs a program with an argument vector (no shell is involved, so arguments
/// are never interpreted), stdin from /dev/null, in its own session so that a
/// timeout kills the whole process group. Throws std::runtime_error when the
/// program cannot be started.
ChildResult runChild(const std::vector<std::string>& argv, const ChildOptions& options);

}  // namespace strata
