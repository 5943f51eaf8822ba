#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "../support/TestSupport.h"
#include "storage/FilesystemBlobStore.h"

namespace strata {
namespace {

/// Collects what the store sends; can refuse after a number of bytes, as a
/// client that goes away.
class CollectingSink : public BlobSink {
 public:
  explicit CollectingSink(std::size_t acceptUpTo = SIZE_MAX, int fd = -1)
      : acceptUpTo_(acceptUpTo), fd_(fd) {}
  bool write(const char* data, std::size_t size) override {
    ++writes;
    if (bytes.size() + size > acceptUpTo_) return false;
    bytes.append(data, size);
    return true;
  }
  int descriptor() override { return fd_; }
  std::string bytes;
  int writes = 0;

 private:
  std::size_t acceptUpTo_;
  int fd_;
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

TEST(BlobReader, SendsTheWholeBlobAndRangesThroughTheSink) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  std::string content = pattern(200 * 1024);  // several 64 KiB buffers
  Digest d = store.put(content);
  auto reader = store.open(d);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->size(), content.size());

  CollectingSink all;
  EXPECT_EQ(reader->sendTo(all, 0, content.size()), content.size());
  EXPECT_EQ(all.bytes, content);
  EXPECT_GE(all.writes, 4);

  CollectingSink middle;
  EXPECT_EQ(reader->sendTo(middle, 70000, 1000), 1000u);
  EXPECT_EQ(middle.bytes, content.substr(70000, 1000));
}

TEST(BlobReader, StopsWhenTheSinkGoesAway) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  std::string content = pattern(300 * 1024);
  auto reader = store.open(store.put(content));
  CollectingSink gone(100 * 1024);
  std::uint64_t sent = reader->sendTo(gone, 0, content.size());
  EXPECT_LT(sent, content.size());
  EXPECT_EQ(sent, gone.bytes.size());
  EXPECT_EQ(gone.bytes, content.substr(0, gone.bytes.size()));
}

TEST(BlobReader, ZeroCopyWritesIntoTheSinksDescriptor) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs", /*zeroCopy=*/true);
  std::string content = pattern(150 * 1024);
  auto reader = store.open(store.put(content));
  std::string outPath = dir / "out";
  int fd = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  CollectingSink sink(SIZE_MAX, fd);
  EXPECT_EQ(reader->sendTo(sink, 1000, 100000), 100000u);
  ::close(fd);
  EXPECT_EQ(sink.writes, 0) << "sendfile(2) bypasses the sink's write()";
  EXPECT_EQ(test::readFile(outPath), content.substr(1000, 100000));
}

TEST(BlobReader, WithoutADescriptorZeroCopyFallsBackToCopying) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs", /*zeroCopy=*/true);
  auto reader = store.open(store.put("small"));
  CollectingSink sink;
  EXPECT_EQ(reader->sendTo(sink, 0, 5), 5u);
  EXPECT_EQ(sink.bytes, "small");
}

TEST(BlobReader, OpenOfAnAbsentBlobIsNull) {
  test::TempDir dir;
  FilesystemBlobStore store(dir / "blobs");
  EXPECT_EQ(store.open(Digest::ofBytes("never stored")), nullptr);
  EXPECT_FALSE(store.redirectUrl(Digest::ofBytes("x")).has_value())
      << "the filesystem store serves its blobs itself";
}

}  // namespace
}  // namespace strata
