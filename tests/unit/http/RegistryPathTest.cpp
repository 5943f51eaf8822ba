#include "http/RegistryPath.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

using Kind = RegistryPath::Kind;

void expectPath(const std::string& path, Kind kind, const std::string& name = "",
                const std::string& reference = "") {
  SCOPED_TRACE(path);
  RegistryPath r = parseRegistryPath(path);
  EXPECT_EQ(r.kind, kind);
  EXPECT_EQ(r.name, name);
  EXPECT_EQ(r.reference, reference);
}

const std::string kDigest = "sha256:" + std::string(64, 'e');

TEST(RegistryPath, Base) {
  expectPath("/v2", Kind::Base);
  expectPath("/v2/", Kind::Base);
}

TEST(RegistryPath, Catalog) {
  expectPath("/v2/_catalog", Kind::Catalog);
  expectPath("/v2/_catalog/", Kind::Unknown);
}

TEST(RegistryPath, Tags) {
  expectPath("/v2/hello/tags/list", Kind::Tags, "hello");
  expectPath("/v2/demo/shell/hello/tags/list", Kind::Tags, "demo/shell/hello");
  expectPath("/v2/tags/list", Kind::Unknown);  // no name
  expectPath("/v2/hello/tags/list/", Kind::Unknown);
}

TEST(RegistryPath, ManifestsByTagAndDigest) {
  expectPath("/v2/hello/manifests/latest", Kind::Manifest, "hello", "latest");
  expectPath("/v2/demo/shell/hello/manifests/release-7", Kind::Manifest, "demo/shell/hello",
             "release-7");
  expectPath("/v2/demo/hello/manifests/" + kDigest, Kind::Manifest, "demo/hello", kDigest);
}

TEST(RegistryPath, Blobs) {
  expectPath("/v2/demo/hello/blobs/" + kDigest, Kind::Blob, "demo/hello", kDigest);
}

TEST(RegistryPath, Uploads) {
  expectPath("/v2/demo/hello/blobs/uploads/", Kind::Upload, "demo/hello");
  expectPath("/v2/demo/hello/blobs/uploads", Kind::Upload, "demo/hello");
  expectPath("/v2/demo/hello/blobs/uploads/1234-abcd", Kind::Upload, "demo/hello");
  expectPath("/v2/blobs/blobs/uploads/", Kind::Upload, "blobs");
}

TEST(RegistryPath, NamesMayContainRouteKeywords) {
  expectPath("/v2/manifests/x/manifests/latest", Kind::Manifest, "manifests/x", "latest");
  expectPath("/v2/blobs/manifests/latest", Kind::Manifest, "blobs", "latest");
  expectPath("/v2/a/blobs/manifests/latest", Kind::Manifest, "a/blobs", "latest");
  expectPath("/v2/a/manifests/blobs/" + kDigest, Kind::Blob, "a/manifests", kDigest);
  expectPath("/v2/manifests/blobs/" + kDigest, Kind::Blob, "manifests", kDigest);
  expectPath("/v2/tags/list/manifests/v1", Kind::Manifest, "tags/list", "v1");
  expectPath("/v2/uploads/blobs/" + kDigest, Kind::Blob, "uploads", kDigest);
  expectPath("/v2/_catalog/manifests/latest", Kind::Manifest, "_catalog", "latest");
}

TEST(RegistryPath, ReferencesWithSlashesStillRouteToTheEndpoint) {
  // A percent-encoded '/' arrives decoded: the handler rejects the reference.
  expectPath("/v2/hello/manifests/a/b", Kind::Manifest, "hello", "a/b");
  expectPath("/v2/demo/hello/blobs/sha256:../../etc/passwd", Kind::Blob, "demo/hello",
             "sha256:../../etc/passwd");
}

TEST(RegistryPath, Unknown) {
  expectPath("", Kind::Unknown);
  expectPath("/", Kind::Unknown);
  expectPath("/v1/hello/manifests/latest", Kind::Unknown);
  expectPath("/v2x", Kind::Unknown);
  expectPath("/v2hello/manifests/latest", Kind::Unknown);
  expectPath("/v2/hello", Kind::Unknown);
  expectPath("/v2/hello/manifests/", Kind::Unknown);
  expectPath("/v2/hello/manifests", Kind::Unknown);
  expectPath("/v2//manifests/latest", Kind::Unknown);
  expectPath("/v2/manifests/latest", Kind::Unknown);
  expectPath("/v2/blobs/" + kDigest, Kind::Unknown);
  expectPath("/v2/hello/blobs/", Kind::Unknown);
  expectPath("/v2/hello/something/else", Kind::Unknown);
}

}  // namespace
}  // namespace strata
