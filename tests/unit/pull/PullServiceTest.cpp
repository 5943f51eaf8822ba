#include "pull/PullService.h"

#include <gtest/gtest.h>

#include "../support/ServerFixture.h"
#include "image/Manifest.h"
#include "util/Error.h"

namespace strata {
namespace {

const std::string kOci = media::kOciManifest;
const std::string kDocker = media::kDockerManifest;

template <typename F>
ErrorKind errorOf(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::Internal;
}

/// A stub that collects the bytes of a blob.
struct StringBlobSink : BlobSink {
  bool write(const char* data, std::size_t size) override {
    bytes.append(data, size);
    return true;
  }
  std::string bytes;
};

class PullServiceTest : public ::testing::Test {
 protected:
  ManifestAnswer manifest(const std::string& name, const std::string& ref,
                          const std::string& accept = kOci, bool head = false) {
    return fx.pull->manifest(ManifestQuery{anyone, name, ref, accept, head});
  }
  std::vector<std::string> tagsOf(const std::string& name) {
    return fx.metadata->images().tags(name, "", 100);
  }

  test::ServerFixture fx;
  Caller anyone{std::nullopt, "10.0.0.1"};
};

TEST_F(PullServiceTest, ByTagServesTheImageInTheFormatAskedForAndRecordsTheTag) {
  ImageRecord image = fx.seed("fx/hello");
  EXPECT_TRUE(tagsOf("fx/hello").empty());
  ManifestAnswer oci = manifest("fx/hello", "latest");
  EXPECT_EQ(oci.digest, image.ociDigest);
  EXPECT_EQ(oci.mediaType, kOci);
  EXPECT_EQ(Digest::ofBytes(oci.body).str(), oci.digest);
  EXPECT_EQ(tagsOf("fx/hello"), std::vector<std::string>{"latest"});

  ManifestAnswer docker = manifest("fx/hello", "latest", "");  // old clients, curl
  EXPECT_EQ(docker.digest, image.dockerDigest);
  EXPECT_EQ(docker.mediaType, kDocker);
  EXPECT_NE(fx.metrics.render().find("strata_bytes_served_total{kind=\"manifest\"} " +
                                     std::to_string(oci.body.size() + docker.body.size())),
            std::string::npos);
}

TEST_F(PullServiceTest, HeadRecordsTheTagAndCountsNoBytes) {
  fx.seed("fx/hello");
  manifest("fx/hello", "latest", kOci, /*head=*/true);
  EXPECT_EQ(tagsOf("fx/hello"), std::vector<std::string>{"latest"});
  EXPECT_EQ(fx.metrics.render().find("strata_bytes_served_total"), std::string::npos);
}

TEST_F(PullServiceTest, ByDigestOnlyUnderANameThatServedIt) {
  ImageRecord image = fx.seed("fx/hello");
  EXPECT_EQ(errorOf([&] { manifest("fx/hello", image.ociDigest); }), ErrorKind::UnknownManifest)
      << "never served under the name yet";
  manifest("fx/hello", "latest");
  ManifestAnswer byOci = manifest("fx/hello", image.ociDigest, "");
  EXPECT_EQ(byOci.mediaType, kOci) << "a digest names one format, whatever Accept says";
  EXPECT_EQ(manifest("fx/hello", image.dockerDigest, kOci).mediaType, kDocker);
  fx.seed("fx/other");
  manifest("fx/other", "latest");
  EXPECT_EQ(errorOf([&] { manifest("fx/other", image.ociDigest); }), ErrorKind::UnknownManifest);
}

TEST_F(PullServiceTest, BadNamesReferencesAndSourcesAreRefusedBeforeAnythingRuns) {
  EXPECT_EQ(errorOf([&] { manifest("fx/Hello", "latest"); }), ErrorKind::InvalidName);
  EXPECT_EQ(errorOf([&] { manifest("fx/hello", "-rf"); }), ErrorKind::InvalidTag);
  EXPECT_EQ(errorOf([&] { manifest("fx/hello", "a/b"); }), ErrorKind::InvalidTag);
  EXPECT_EQ(errorOf([&] { manifest("fx/hello", "sha256:../../etc/passwd"); }),
            ErrorKind::InvalidDigest);
  EXPECT_EQ(errorOf([&] { manifest("nosuch/hello", "latest"); }), ErrorKind::UnknownName);
  EXPECT_EQ(errorOf([&] { manifest("fx", "latest"); }), ErrorKind::UnknownName);
  EXPECT_EQ(fx.builds->log().recent(10).size(), 0u) << "no build was started";
}

TEST_F(PullServiceTest, BlobsAreServedOnlyUnderNamesWhoseImagesHoldThem) {
  ImageRecord image = fx.seed("fx/hello");
  Digest config = *Digest::parse(image.configDigest);
  auto blob = [&](const std::string& name, const std::string& digest, bool open = true) {
    return fx.pull->blob(BlobQuery{anyone, name, digest, open});
  };
  EXPECT_EQ(errorOf([&] { blob("fx/hello", config.str()); }), ErrorKind::UnknownBlob)
      << "the image is built but was not pulled under this name";
  manifest("fx/hello", "latest");

  BlobAnswer head = blob("fx/hello", config.str(), /*open=*/false);
  EXPECT_EQ(head.size, fx.blobs->stat(config)->size);
  EXPECT_FALSE(head.reader) << "HEAD opens nothing";
  EXPECT_FALSE(head.redirect);

  BlobAnswer get = blob("fx/hello", config.str());
  ASSERT_TRUE(get.reader);
  StringBlobSink sink;
  EXPECT_EQ(get.reader->sendTo(sink, 0, get.size), get.size);
  EXPECT_EQ(sink.bytes, fx.blobs->read(config));

  EXPECT_EQ(errorOf([&] { blob("fx/other", config.str()); }), ErrorKind::UnknownBlob);
  EXPECT_EQ(errorOf([&] { blob("fx/hello", Digest::ofBytes("nothing").str()); }),
            ErrorKind::UnknownBlob);
  EXPECT_EQ(errorOf([&] { blob("fx/hello", "latest"); }), ErrorKind::InvalidDigest);
}

TEST_F(PullServiceTest, ReferrersListTheSbomOfEachManifestOfAnImageServedUnderTheName) {
  ImageRecord image = fx.seed("fx/hello");
  auto referrers = [&](const std::string& name, const std::string& digest,
                       const std::string& type = "") {
    return fx.pull->referrers(ReferrersQuery{anyone, name, digest, type});
  };
  EXPECT_TRUE(referrers("fx/hello", image.ociDigest).referrers.empty())
      << "not served under the name yet";
  manifest("fx/hello", "latest");
  ASSERT_EQ(image.referrers.size(), 2u) << "one per manifest";
  for (const auto& subject : {image.ociDigest, image.dockerDigest}) {
    ReferrersAnswer answer = referrers("fx/hello", subject);
    ASSERT_EQ(answer.referrers.size(), 1u);
    EXPECT_EQ(answer.referrers[0].subject, subject);
    EXPECT_FALSE(answer.filtered);
    // The artifact is a manifest of the name, and its blobs are blobs of it.
    ManifestAnswer artifact = manifest("fx/hello", answer.referrers[0].digest);
    EXPECT_EQ(artifact.mediaType, kOci);
    EXPECT_EQ(Digest::ofBytes(artifact.body).str(), answer.referrers[0].digest);
    EXPECT_NE(artifact.body.find(image.sbomDigest), std::string::npos);
  }
  StringBlobSink sbom;
  BlobAnswer blob = fx.pull->blob(BlobQuery{anyone, "fx/hello", image.sbomDigest});
  blob.reader->sendTo(sbom, 0, blob.size);
  EXPECT_NE(sbom.bytes.find("\"CycloneDX\""), std::string::npos);

  ReferrersAnswer filtered =
      referrers("fx/hello", image.ociDigest, "application/vnd.cyclonedx+json");
  EXPECT_EQ(filtered.referrers.size(), 1u);
  EXPECT_TRUE(filtered.filtered);
  EXPECT_TRUE(referrers("fx/hello", image.ociDigest, "application/spdx+json").referrers.empty());
  EXPECT_TRUE(referrers("fx/hello", "sha256:" + std::string(64, '0')).referrers.empty())
      << "an unknown subject has none, and is no error";
  EXPECT_TRUE(referrers("fx/hello", image.referrers[0].digest).referrers.empty());
  EXPECT_EQ(errorOf([&] { referrers("fx/hello", "sha256:short"); }), ErrorKind::InvalidDigest);
  EXPECT_EQ(errorOf([&] { referrers("fx/Bad", image.ociDigest); }), ErrorKind::InvalidName);
}

TEST(PullServiceIndexTest, ATagOfTwoPlatformsIsAnIndexOfOneImageEach) {
  test::ServerFixture fx([](Config& c) {
    c.sources[0].platforms = {"x86_64-linux", "aarch64-linux"};
  });
  Caller anyone{std::nullopt, "10.0.0.1"};
  ImageRequest request = parseImageName("fx/hello", fx.config.sources);
  ASSERT_TRUE(request.isIndex());
  EXPECT_EQ(request.platforms, (std::vector<std::string>{"amd64", "arm64"}));
  std::vector<ImageRecord> images;
  for (const auto& arch : request.platforms)
    images.push_back(fx.seedJob(fx.builds->resolve(request.forPlatform(arch), "latest")));
  auto manifest = [&](const std::string& ref, const std::string& accept) {
    return fx.pull->manifest(ManifestQuery{anyone, "fx/hello", ref, accept, false});
  };

  ManifestAnswer index = manifest("latest", std::string(media::kOciIndex) + "," + kOci);
  EXPECT_EQ(index.mediaType, media::kOciIndex);
  EXPECT_NE(index.body.find(images[0].ociDigest), std::string::npos);
  EXPECT_NE(index.body.find(images[1].ociDigest), std::string::npos);
  EXPECT_NE(index.body.find(R"("architecture":"arm64")"), std::string::npos);
  ManifestAnswer list = manifest("latest", media::kDockerManifestList);
  EXPECT_EQ(list.mediaType, media::kDockerManifestList);
  EXPECT_NE(list.body.find(images[1].dockerDigest), std::string::npos);
  ManifestAnswer old = manifest("latest", "");
  EXPECT_EQ(old.digest, images[0].dockerDigest) << "no index for a client that takes none";

  // By digest: the index, the list and each image, and their blobs, under the name.
  EXPECT_EQ(manifest(index.digest, "").mediaType, media::kOciIndex);
  EXPECT_EQ(manifest(list.digest, "").mediaType, media::kDockerManifestList);
  EXPECT_EQ(manifest(images[1].ociDigest, "").digest, images[1].ociDigest);
  EXPECT_EQ(fx.pull->blob(BlobQuery{anyone, "fx/hello", images[1].configDigest, false}).digest,
            images[1].configDigest);
  EXPECT_EQ(fx.pull->referrers(ReferrersQuery{anyone, "fx/hello", images[1].ociDigest, ""})
                .referrers.size(),
            1u);
  EXPECT_TRUE(
      fx.pull->referrers(ReferrersQuery{anyone, "fx/hello", index.digest, ""}).referrers.empty());
  Pin pin = fx.pull->pin(anyone, "fx/hello:latest");
  EXPECT_EQ(pin.digest, index.digest);
  // arm64 still selects one image: the index's.
  EXPECT_EQ(
      fx.pull->manifest(ManifestQuery{anyone, "fx/arm64/hello", "latest", kOci, false}).digest,
      images[1].ociDigest);
}

TEST_F(PullServiceTest, TagsAreTheSourcesAndTagsAndCatalogArePaged) {
  // A folder's tags are latest and its revision, whatever was pulled: a
  // tag recorded as a git source's would be is not one of them.
  ImageRecord image = fx.seed("fx/hello");
  manifest("fx/hello", "latest");
  fx.metadata->images().recordResolution("fx/hello", "v1", image.revision, image.cacheKey);
  fx.seed("fx/world");
  manifest("fx/world", "latest");
  Listing page = fx.pull->tags(anyone, "fx/hello", "", 1);
  EXPECT_EQ(page.items, std::vector<std::string>{image.revision});
  EXPECT_TRUE(page.more);
  page = fx.pull->tags(anyone, "fx/hello", image.revision, 2);
  EXPECT_EQ(page.items, std::vector<std::string>{"latest"});
  EXPECT_FALSE(page.more);
  EXPECT_TRUE(fx.pull->tags(anyone, "fx/hello", "latest", 2).items.empty());
  EXPECT_TRUE(fx.pull->tags(anyone, "fx/hello", "", 0).more);
  // A name never pulled routes to the source all the same.
  EXPECT_EQ(fx.pull->tags(anyone, "fx/never", "", 10).items,
            (std::vector<std::string>{image.revision, "latest"}));
  EXPECT_EQ(errorOf([&] { fx.pull->tags(anyone, "nosource/x", "", 10); }), ErrorKind::UnknownName);
  EXPECT_EQ(errorOf([&] { fx.pull->tags(anyone, "fx/Bad", "", 10); }), ErrorKind::InvalidName);

  Listing names = fx.pull->catalog(anyone, "", 1);
  EXPECT_EQ(names.items, std::vector<std::string>{"fx/hello"});
  EXPECT_TRUE(names.more);
  names = fx.pull->catalog(anyone, "fx/hello", 10);
  EXPECT_EQ(names.items, std::vector<std::string>{"fx/world"});
  EXPECT_FALSE(names.more);
}

TEST_F(PullServiceTest, APinNamesTheRevisionAndDigests) {
  ImageRecord image = fx.seed("fx/hello", "latest");
  Pin pin = fx.pull->pin(anyone, "fx/hello:latest");
  EXPECT_EQ(pin.name, "fx/hello");
  EXPECT_EQ(pin.tag, "latest");
  EXPECT_EQ(pin.source, "fx");
  EXPECT_EQ(pin.revision, fx.revision());
  EXPECT_EQ(pin.digest, image.ociDigest);
  EXPECT_EQ(pin.dockerDigest, image.dockerDigest);
  EXPECT_EQ(fx.pull->pin(anyone, "fx/hello").tag, "latest");
  EXPECT_EQ(errorOf([&] { fx.pull->pin(anyone, "fx/hello:-x"); }), ErrorKind::InvalidTag);
}

class PullPoliciesTest : public ::testing::Test {
 protected:
  std::shared_ptr<test::DenyPackagePolicy> policy =
      std::make_shared<test::DenyPackagePolicy>("forbidden");
  test::ServerFixture fx{{}, policy};
  Caller anyone{std::nullopt, "10.0.0.7"};
};

TEST_F(PullPoliciesTest, PoliciesJudgeBeforeTheBuildAndAgainWithTheClosure) {
  fx.seed("fx/hello");
  fx.pull->manifest(ManifestQuery{anyone, "fx/hello", "latest", "", false});
  ASSERT_EQ(policy->calls.size(), 2u);
  EXPECT_EQ(policy->calls[0].revision, fx.revision());
  EXPECT_FALSE(policy->calls[0].withClosure);
  EXPECT_TRUE(policy->calls[1].withClosure);
  EXPECT_EQ(policy->calls[0].clientAddress, "10.0.0.7") << "auth off: anonymous at its address";
}

TEST_F(PullPoliciesTest, ADeniedImageGetsNoTagAndNoBlobs) {
  ImageRecord image = fx.seed("fx/forbidden");
  EXPECT_EQ(errorOf([&] {
              fx.pull->manifest(ManifestQuery{anyone, "fx/forbidden", "latest", "", false});
            }),
            ErrorKind::Denied);
  ASSERT_EQ(policy->calls.size(), 1u) << "denied before the build: never asked again";
  EXPECT_FALSE(policy->calls[0].withClosure);
  EXPECT_TRUE(fx.metadata->images().tags("fx/forbidden", "", 10).empty());
  EXPECT_EQ(errorOf([&] {
              fx.pull->blob(BlobQuery{anyone, "fx/forbidden", image.configDigest, true});
            }),
            ErrorKind::Denied)
      << "blobs are judged on the name";
  ASSERT_EQ(policy->calls.size(), 2u);
  EXPECT_EQ(policy->calls[1].revision, "") << "a blob's name says no revision";
}

class PullWithAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = fx.access->admit(Requirement::Pull, "fx/hello",
                             fx.addUser("alice", "devs", "fx", "hello"), "10.9.9.9");
  }
  std::shared_ptr<test::DenyPackagePolicy> policy =
      std::make_shared<test::DenyPackagePolicy>("forbidden");
  test::ServerFixture fx{[](Config& c) { c.auth.enabled = true; }, policy};
  Caller alice;
};

TEST_F(PullWithAuthTest, GrantsDecideAndServedPullsAreAudited) {
  ImageRecord image = fx.seed("fx/hello");
  ImageRecord world = fx.seed("fx/world");
  ManifestAnswer a = fx.pull->manifest(ManifestQuery{alice, "fx/hello", "latest", kOci, false});
  auto pulls = fx.metadata->auth().listAudit(10, "pull");
  ASSERT_EQ(pulls.size(), 1u);
  EXPECT_EQ(pulls[0].actor, "alice");
  EXPECT_EQ(pulls[0].target, "fx/hello:latest");
  EXPECT_EQ(pulls[0].detail, "revision " + image.revision + " digest " + a.digest);
  EXPECT_EQ(errorOf([&] {
              fx.pull->manifest(ManifestQuery{alice, "fx/world", "latest", kOci, false});
            }),
            ErrorKind::Denied);
  EXPECT_TRUE(fx.metadata->images().tags("fx/world", "", 10).empty());
  // The grants decide first: the policies were asked about fx/hello only.
  ASSERT_EQ(policy->calls.size(), 2u);
  EXPECT_EQ(policy->calls[0].user, "alice");
  // Someone else pulled fx/world: alice's catalog still hides it.
  fx.metadata->images().recordResolution("fx/world", "latest", world.revision, world.cacheKey);
  EXPECT_TRUE(fx.pull->catalog(Caller{}, "", 10).items.empty())
      << "with auth on, a caller nobody admitted sees nothing";
  EXPECT_EQ(fx.pull->catalog(alice, "", 10).items, std::vector<std::string>{"fx/hello"});
}

}  // namespace
}  // namespace strata
