#include "nix/ChildProcess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "../support/TestSupport.h"

namespace strata {
namespace {

using namespace std::chrono_literals;

ChildResult runPlain(const std::vector<std::string>& argv) {
  return runChild(argv, ChildOptions{});
}

TEST(ChildProcess, ExitCodeIsReported) {
  EXPECT_EQ(runPlain({"/bin/sh", "-c", "exit 0"}).exitCode, 0);
  EXPECT_EQ(runPlain({"/bin/sh", "-c", "exit 3"}).exitCode, 3);
  EXPECT_EQ(runPlain({"false"}).exitCode, 1);
  auto r = runPlain({"true"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_FALSE(r.timedOut);
}

TEST(ChildProcess, KilledBySignalIsMinusOne) {
  auto r = runPlain({"/bin/sh", "-c", "kill -9 $$"});
  EXPECT_EQ(r.exitCode, -1);
  EXPECT_FALSE(r.timedOut);
}

TEST(ChildProcess, CapturesStdout) {
  auto r = runPlain({"printf", "hello\nworld"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, "hello\nworld");
  EXPECT_EQ(r.errTail, "");
}

TEST(ChildProcess, CapturesLargeStdoutCompletely) {
  auto r = runPlain({"/bin/sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, std::string(3000000, 'x'));
}

TEST(ChildProcess, KeepsOnlyTheTailOfStderr) {
  ChildOptions opts;
  opts.stderrTailBytes = 16;
  auto r = runChild({"/bin/sh", "-c",
                     "i=0; while [ $i -lt 2000 ]; do echo line$i >&2; i=$((i+1)); done; echo out"},
                    opts);
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.errTail, std::string("line1998\nline1999\n").substr(2));
  EXPECT_EQ(r.errTail.size(), 16u);
}

TEST(ChildProcess, ShortStderrIsKeptWhole) {
  auto r = runPlain({"/bin/sh", "-c", "echo oops >&2; exit 2"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.errTail, "oops\n");
}

TEST(ChildProcess, StderrLinesAreReportedAsTheyCome) {
  std::vector<std::string> lines;
  ChildOptions opts;
  opts.onStderrLine = [&](const std::string& l) { lines.push_back(l); };
  auto r = runChild({"/bin/sh", "-c", "printf 'one\\ntwo\\n' >&2; printf 'three' >&2"}, opts);
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
}

TEST(ChildProcess, AnOverlongStderrLineIsCutAndSaysHowMuch) {
  // 8 MB without a newline (a builder printing one huge line), then a short
  // line: the first is kept to the cap and says what was cut, the second is
  // whole. Memory never holds more than the cap.
  std::vector<std::string> lines;
  ChildOptions opts;
  opts.maxStderrLineBytes = 4096;
  opts.onStderrLine = [&](const std::string& l) { lines.push_back(l); };
  auto r = runChild(
      {"/bin/sh", "-c",
       "head -c 8000000 /dev/zero | tr '\\0' x >&2; echo >&2; echo after >&2; printf tail >&2"},
      opts);
  EXPECT_EQ(r.exitCode, 0);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], std::string(4096, 'x') + " [7995904 more bytes of this line cut]");
  EXPECT_EQ(lines[1], "after");
  EXPECT_EQ(lines[2], "tail");
}

TEST(ChildProcess, DeadlineKillsTheChild) {
  ChildOptions opts;
  opts.deadline = std::chrono::steady_clock::now() + 200ms;
  auto r = runChild({"sleep", "30"}, opts);
  EXPECT_TRUE(r.timedOut);
  EXPECT_EQ(r.exitCode, -1);
}

TEST(ChildProcess, DeadlineInThePastStillReturns) {
  ChildOptions opts;
  opts.deadline = std::chrono::steady_clock::now() - 1s;
  auto r = runChild({"sleep", "30"}, opts);
  EXPECT_TRUE(r.timedOut);
}

/// The state letter of a process, or 0 when it is gone.
char processState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return 0;
  return stat[close + 2];
}

TEST(ChildProcess, DeadlineKillsTheWholeProcessGroup) {
  ChildOptions opts;
  opts.deadline = std::chrono::steady_clock::now() + 500ms;
  // The grandchild keeps no pipe open, so only the group kill can reach it.
  auto r = runChild({"/bin/sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!; wait"}, opts);
  EXPECT_TRUE(r.timedOut);
  pid_t grandchild = static_cast<pid_t>(std::stol(r.out));
  ASSERT_GT(grandchild, 0);
  // SIGKILL is asynchronous: wait (bounded) for the process to be gone or a zombie.
  char state = processState(grandchild);
  for (int i = 0; i < 200 && state != 0 && state != 'Z'; ++i) {
    std::this_thread::sleep_for(50ms);
    state = processState(grandchild);
  }
  EXPECT_TRUE(state == 0 || state == 'Z') << "grandchild state " << state;
}

TEST(ChildProcess, RunsInItsOwnSession) {
  auto r = runPlain({"/bin/sh", "-c", "echo $$; cat /proc/$$/stat"});
  ASSERT_EQ(r.exitCode, 0);
  std::istringstream in(r.out);
  long pid = 0;
  in >> pid;
  std::string rest;
  std::getline(in, rest);
  std::getline(in, rest);
  auto close = rest.rfind(')');
  ASSERT_NE(close, std::string::npos) << r.out;
  std::istringstream fields(rest.substr(close + 2));
  char state;
  long ppid, pgrp, session;
  fields >> state >> ppid >> pgrp >> session;
  EXPECT_EQ(session, pid);
  EXPECT_EQ(pgrp, pid);
  EXPECT_NE(session, static_cast<long>(::getsid(0)));
}

TEST(ChildProcess, ArgumentsAreNotInterpretedByAShell) {
  test::TempDir dir;
  std::string marker = dir / "pwned";
  std::string evil = "$(touch " + marker + ")";
  auto r = runPlain({"/bin/echo", evil, "`touch " + marker + "`", "; touch " + marker});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, evil + " `touch " + marker + "` ; touch " + marker + "\n");
  EXPECT_FALSE(std::filesystem::exists(marker));

  auto p = runPlain({"printf", "[%s]", "a b", "'c'", "\"d\"", "", "*", "e\nf"});
  EXPECT_EQ(p.out, "[a b]['c'][\"d\"][][*][e\nf]");
}

TEST(ChildProcess, StdinIsDevNull) {
  auto r = runPlain({"cat"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, "");
}

TEST(ChildProcess, ExtraEnvironmentReplacesInheritedValues) {
  ChildOptions opts;
  opts.extraEnv = {{"STRATA_TEST_VALUE", "a b $c"}, {"HOME", "/nowhere"}};
  auto r = runChild({"/bin/sh", "-c",
                     "printf '%s|%s|' \"$STRATA_TEST_VALUE\" \"$HOME\"; env | "
                     "grep -c '^HOME='"},
                    opts);
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.out, "a b $c|/nowhere|1\n");
}

TEST(ChildProcess, OwnFileDescriptorsDoNotLeak) {
  test::TempDir dir;
  int fd = ::open((dir / "open-file").c_str(), O_CREAT | O_WRONLY, 0600);  // no O_CLOEXEC
  ASSERT_GE(fd, 0);
  auto r = runPlain({"/bin/sh", "-c", "ls /proc/$$/fd"});
  ::close(fd);
  EXPECT_EQ(r.exitCode, 0);
  std::istringstream in(r.out);
  std::vector<std::string> fds;
  for (std::string l; std::getline(in, l);) fds.push_back(l);
  // 0, 1, 2 and whatever the shell itself opened; never our descriptor.
  EXPECT_EQ(std::count(fds.begin(), fds.end(), std::to_string(fd)), 0) << r.out;
}

TEST(ChildProcess, OutputLimitKillsTheChild) {
  ChildOptions opts;
  opts.maxOutputBytes = 1000;
  auto r = runChild({"/bin/sh", "-c", "head -c 10000000 /dev/zero"}, opts);
  EXPECT_LE(r.out.size(), 1000u);
  EXPECT_NE(r.errTail.find("output exceeded 1000 bytes"), std::string::npos) << r.errTail;
  EXPECT_NE(r.exitCode, 0);
}

TEST(ChildProcess, MissingProgramThrows) {
  EXPECT_THROW(runPlain({"strata-no-such-program-xyz"}), std::runtime_error);
  EXPECT_THROW(runPlain({"/nonexistent/bin/tool"}), std::runtime_error);
  EXPECT_THROW(runPlain({}), std::runtime_error);
}

}  // namespace
}  // namespace strata
