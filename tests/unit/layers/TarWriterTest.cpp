#include "layers/TarWriter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../support/TestSupport.h"
#include "util/ByteSink.h"

namespace strata {
namespace {

using test::parseTar;
using test::TarArchive;

/// A sink that remembers whether finish() reached it.
class RecordingSink : public ByteSink {
 public:
  void write(const char* data, std::size_t size) override { data_.append(data, size); }
  void finish() override { ++finished_; }
  std::string data_;
  int finished_ = 0;
};

/// A small archive with one entry of every kind.
std::string sampleArchive() {
  StringSink sink;
  TarWriter tar(sink);
  tar.directory("top", 0755);
  tar.beginFile("top/hello.txt", 0644, 5);
  tar.data("hel", 3);
  tar.data("lo", 2);
  tar.endFile();
  tar.beginFile("top/run", 0755, 0);
  tar.endFile();
  tar.symlink("top/link", "hello.txt");
  tar.finish();
  return sink.data();
}

TEST(TarWriter, WritesUstarHeadersWithFixedMetadata) {
  TarArchive a = parseTar(sampleArchive());
  ASSERT_EQ(a.entries.size(), 4u);
  EXPECT_EQ(test::entryNames(a),
            (std::vector<std::string>{"top/", "top/hello.txt", "top/run", "top/link"}));
  for (const auto& e : a.entries) {
    SCOPED_TRACE(e.name);
    EXPECT_EQ(e.mtime, TarWriter::kMtime);
    EXPECT_EQ(e.mtime, 1u);
    EXPECT_EQ(e.uid, 0u);
    EXPECT_EQ(e.gid, 0u);
    EXPECT_EQ(e.uname, "");
    EXPECT_EQ(e.gname, "");
    EXPECT_TRUE(e.pax.empty());
  }
  EXPECT_EQ(a.entries[0].type, '5');
  EXPECT_EQ(a.entries[0].mode, 0755u);
  EXPECT_EQ(a.entries[0].size, 0u);
  EXPECT_EQ(a.entries[1].type, '0');
  EXPECT_EQ(a.entries[1].mode, 0644u);
  EXPECT_EQ(a.entries[1].size, 5u);
  EXPECT_EQ(a.entries[1].data, "hello");
  EXPECT_EQ(a.entries[2].type, '0');
  EXPECT_EQ(a.entries[2].mode, 0755u);
  EXPECT_EQ(a.entries[2].data, "");
  EXPECT_EQ(a.entries[3].type, '2');
  EXPECT_EQ(a.entries[3].mode, 0777u);
  EXPECT_EQ(a.entries[3].linkName, "hello.txt");
  EXPECT_EQ(a.entries[3].size, 0u);
}

TEST(TarWriter, LayoutIsBlockAlignedAndEndsWithTwoZeroBlocks) {
  std::string tar = sampleArchive();
  // dir header, file header + 1 data block, empty file header, symlink header, 2 end blocks.
  EXPECT_EQ(tar.size(), 512u * (1 + 2 + 1 + 1 + 2));
  EXPECT_EQ(tar.substr(tar.size() - 1024), std::string(1024, '\0'));
  // The data block of hello.txt follows its header and is zero-padded.
  EXPECT_EQ(tar.substr(1024, 5), "hello");
  EXPECT_EQ(tar.substr(1024 + 5, 507), std::string(507, '\0'));
}

TEST(TarWriter, HeaderFieldsAreExactOctal) {
  std::string tar = sampleArchive();
  const char* h = tar.data() + 512;  // top/hello.txt
  EXPECT_EQ(std::string(h, 13), "top/hello.txt");
  EXPECT_EQ(std::string(h + 100, 8), std::string("0000644\0", 8));
  EXPECT_EQ(std::string(h + 108, 8), std::string("0000000\0", 8));
  EXPECT_EQ(std::string(h + 116, 8), std::string("0000000\0", 8));
  EXPECT_EQ(std::string(h + 124, 12), std::string("00000000005\0", 12));
  EXPECT_EQ(std::string(h + 136, 12), std::string("00000000001\0", 12));
  EXPECT_EQ(h[156], '0');
  EXPECT_EQ(std::string(h + 257, 8), std::string("ustar\0"
                                                 "00",
                                                 8));
}

TEST(TarWriter, SameInputGivesIdenticalBytes) {
  EXPECT_EQ(sampleArchive(), sampleArchive());
}

TEST(TarWriter, FinishPropagatesToTheSinkOnce) {
  RecordingSink sink;
  TarWriter tar(sink);
  tar.finish();
  EXPECT_EQ(sink.finished_, 1);
  EXPECT_EQ(sink.data_, std::string(1024, '\0'));
}

TEST(TarWriter, PadsFileDataToBlocks) {
  for (std::size_t size : {1u, 511u, 512u, 513u, 1024u, 1500u}) {
    SCOPED_TRACE(size);
    StringSink sink;
    TarWriter tar(sink);
    std::string content(size, 'z');
    for (std::size_t i = 0; i < size; ++i) content[i] = char('a' + i % 26);
    tar.beginFile("f", 0600, size);
    tar.data(content.data(), content.size());
    tar.endFile();
    tar.finish();
    std::size_t blocks = (size + 511) / 512;
    EXPECT_EQ(sink.data().size(), 512 * (1 + blocks + 2));
    auto a = parseTar(sink.data());
    ASSERT_EQ(a.entries.size(), 1u);
    EXPECT_EQ(a.entries[0].data, content);
    EXPECT_EQ(a.entries[0].mode, 0600u);
  }
}

TEST(TarWriter, RejectsMoreDataThanDeclared) {
  StringSink sink;
  TarWriter tar(sink);
  tar.beginFile("f", 0644, 3);
  tar.data("ab", 2);
  EXPECT_THROW(tar.data("cd", 2), std::logic_error);
}

TEST(TarWriter, RejectsLessDataThanDeclared) {
  StringSink sink;
  TarWriter tar(sink);
  tar.beginFile("f", 0644, 3);
  tar.data("ab", 2);
  EXPECT_THROW(tar.endFile(), std::runtime_error);
}

TEST(TarWriter, NameOfExactly100BytesNeedsNoPax) {
  std::string name(100, 'n');
  StringSink sink;
  TarWriter tar(sink);
  tar.symlink(name, std::string(100, 't'));
  tar.finish();
  auto a = parseTar(sink.data());
  ASSERT_EQ(a.entries.size(), 1u);
  EXPECT_TRUE(a.entries[0].pax.empty());
  EXPECT_EQ(a.entries[0].name, name);
  EXPECT_EQ(a.entries[0].linkName, std::string(100, 't'));
  EXPECT_EQ(sink.data().size(), 512u * 3);
}

TEST(TarWriter, LongNamesGetPaxPathRecords) {
  // Cover lengths where the record's own length crosses a digit boundary.
  for (std::size_t len = 101; len < 1100; len += 7) {
    SCOPED_TRACE(len);
    std::string name;
    while (name.size() < len) name += "segment/";
    name.resize(len);
    if (name.back() == '/') name.back() = 'x';
    StringSink sink;
    TarWriter tar(sink);
    tar.beginFile(name, 0644, 2);
    tar.data("ok", 2);
    tar.endFile();
    tar.finish();
    auto a = parseTar(sink.data());  // checks every record length
    ASSERT_EQ(a.entries.size(), 1u);
    const auto& e = a.entries[0];
    EXPECT_EQ(e.name, name);
    EXPECT_EQ(e.pax.size(), 1u);
    EXPECT_EQ(e.pax.at("path"), name);
    EXPECT_EQ(e.rawName, name.substr(0, 100));  // an ASCII placeholder
    EXPECT_EQ(e.data, "ok");
  }
}

TEST(TarWriter, PaxHeaderLayout) {
  std::string name(150, 'a');
  StringSink sink;
  TarWriter tar(sink);
  tar.directory(name, 0555);
  tar.finish();
  const std::string& t = sink.data();
  // 'x' header, one block of records, the directory header, two zero blocks.
  ASSERT_EQ(t.size(), 512u * 5);
  EXPECT_EQ(t[156], 'x');
  std::string record = "path=" + name + "/\n";
  std::string expected = std::to_string(record.size() + 4) + " " + record;  // 160 bytes: 3 digits
  EXPECT_EQ(expected.size(), record.size() + 4);
  EXPECT_EQ(t.substr(512, expected.size()), expected);
  auto a = parseTar(t);
  ASSERT_EQ(a.entries.size(), 1u);
  EXPECT_EQ(a.entries[0].name, name + "/");
  EXPECT_EQ(a.entries[0].type, '5');
  EXPECT_EQ(a.entries[0].headerOffset, 1024u);
}

TEST(TarWriter, UnicodeNamesGetPaxRecordsWithUtf8) {
  std::string name = "share/doc/caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt";
  StringSink sink;
  TarWriter tar(sink);
  tar.beginFile(name, 0644, 1);
  tar.data("x", 1);
  tar.endFile();
  tar.finish();
  auto a = parseTar(sink.data());
  ASSERT_EQ(a.entries.size(), 1u);
  EXPECT_EQ(a.entries[0].pax.at("path"), name);
  EXPECT_EQ(a.entries[0].name, name);
  for (unsigned char c : a.entries[0].rawName) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
}

TEST(TarWriter, ControlCharactersInNamesGetPaxRecords) {
  std::string name = "odd\nname\t";
  StringSink sink;
  TarWriter tar(sink);
  tar.symlink(name, "target");
  tar.finish();
  auto a = parseTar(sink.data());
  ASSERT_EQ(a.entries.size(), 1u);
  EXPECT_EQ(a.entries[0].name, name);
  EXPECT_EQ(a.entries[0].pax.count("linkpath"), 0u);
}

TEST(TarWriter, LongSymlinkTargetsGetPaxLinkpath) {
  std::string target = "/nix/store/" + std::string(32, 'b') + "-pkg/" + std::string(200, 'l');
  StringSink sink;
  TarWriter tar(sink);
  tar.symlink("short", target);
  tar.finish();
  auto a = parseTar(sink.data());
  ASSERT_EQ(a.entries.size(), 1u);
  EXPECT_EQ(a.entries[0].pax.size(), 1u);
  EXPECT_EQ(a.entries[0].pax.at("linkpath"), target);
  EXPECT_EQ(a.entries[0].linkName, target);
  EXPECT_EQ(a.entries[0].name, "short");
}

TEST(TarWriter, LongNameAndTargetShareOnePaxHeader) {
  std::string name(120, 'n'), target(300, 't');
  StringSink sink;
  TarWriter tar(sink);
  tar.symlink(name, target);
  tar.finish();
  auto a = parseTar(sink.data());
  ASSERT_EQ(a.entries.size(), 1u);
  EXPECT_EQ(a.entries[0].pax.size(), 2u);
  EXPECT_EQ(a.entries[0].name, name);
  EXPECT_EQ(a.entries[0].linkName, target);
}

TEST(TarWriter, HugeSizesGoToPax) {
  // Only the header is inspected: 16 GiB does not fit the 11 octal digits.
  const std::uint64_t size = 16ull << 30;
  StringSink sink;
  TarWriter tar(sink);
  tar.beginFile("big", 0644, size);
  const std::string& t = sink.data();
  ASSERT_EQ(t.size(), 512u * 3);
  EXPECT_EQ(t[156], 'x');
  auto records = test::detail::paxRecords(t.substr(512, 512).c_str());
  EXPECT_EQ(records.at("size"), std::to_string(size));
  const char* h = t.data() + 1024;
  EXPECT_EQ(h[156], '0');
  EXPECT_EQ(std::string(h + 124, 12), std::string("00000000000\0", 12));
}

TEST(TarWriter, SystemTarReadsTheArchive) {
  test::TempDir dir;
  std::string longName = "deep/" + std::string(120, 'd') + "/file.txt";
  std::string unicode = "caf\xc3\xa9.txt";
  std::string longTarget = "/" + std::string(150, 'x') + "/target";
  StringSink sink;
  TarWriter tar(sink);
  tar.directory("deep", 0755);
  tar.directory("deep/" + std::string(120, 'd'), 0700);
  tar.beginFile(longName, 0640, 4);
  tar.data("long", 4);
  tar.endFile();
  tar.beginFile(unicode, 0755, 3);
  tar.data("uni", 3);
  tar.endFile();
  tar.symlink("far", longTarget);
  tar.symlink("near", unicode);
  tar.finish();
  std::string archive = dir / "a.tar";
  test::writeFile(archive, sink.data());

  auto list = test::runShell("LC_ALL=C.UTF-8 tar --numeric-owner -tvf " +
                             test::shellQuote(archive) + " 2>&1");
  ASSERT_EQ(list.status, 0) << list.out;
  EXPECT_NE(list.out.find(longName), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("far -> " + longTarget), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(" 0/0 "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("1970-01-01"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("PaxHeader"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("tar:"), std::string::npos) << list.out;  // no warnings

  std::string out = dir / "x";
  std::filesystem::create_directories(out);
  auto extract = test::runShell("LC_ALL=C.UTF-8 tar -xf " + test::shellQuote(archive) + " -C " +
                                test::shellQuote(out) + " 2>&1");
  ASSERT_EQ(extract.status, 0) << extract.out;
  EXPECT_EQ(extract.out, "");
  EXPECT_EQ(test::readFile(out + "/" + longName), "long");
  EXPECT_EQ(test::readFile(out + "/" + unicode), "uni");
  EXPECT_EQ(std::filesystem::read_symlink(out + "/far").string(), longTarget);
  EXPECT_EQ(std::filesystem::read_symlink(out + "/near").string(), unicode);
  struct stat st;
  ASSERT_EQ(::stat((out + "/" + unicode).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  EXPECT_EQ(st.st_mtime, 1);
  ASSERT_EQ(::stat((out + "/" + longName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

}  // namespace
}  // namespace strata
