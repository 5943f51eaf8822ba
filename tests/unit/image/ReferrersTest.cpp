#include "image/Referrers.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <gtest/gtest.h>

#include "image/Manifest.h"
#include "util/Digest.h"

namespace strata {
namespace {

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

const std::string kSubject = "sha256:" + std::string(64, 's');
const std::string kBlob = "sha256:" + std::string(64, 'b');

TEST(ReferrersTest, TheEmptyDescriptorIsTheEmptyObject) {
  EXPECT_EQ(Digest::ofBytes(kEmptyJson).str(), kEmptyJsonDigest);
}

TEST(ReferrersTest, AnArtifactManifestNamesItsTypeBlobAndSubject) {
  auto m = parse(buildArtifactManifest("application/vnd.cyclonedx+json",
                                       {"application/vnd.cyclonedx+json", kBlob, 1234},
                                       {media::kOciManifest, kSubject, 567}));
  EXPECT_EQ(m->getValue<int>("schemaVersion"), 2);
  EXPECT_EQ(m->getValue<std::string>("mediaType"), media::kOciManifest);
  EXPECT_EQ(m->getValue<std::string>("artifactType"), "application/vnd.cyclonedx+json");
  auto config = m->getObject("config");
  EXPECT_EQ(config->getValue<std::string>("mediaType"), media::kOciEmpty);
  EXPECT_EQ(config->getValue<std::string>("digest"), kEmptyJsonDigest);
  EXPECT_EQ(config->getValue<int>("size"), 2);
  EXPECT_EQ(config->getValue<std::string>("data"), "e30=");
  auto layer = m->getArray("layers")->getObject(0);
  EXPECT_EQ(layer->getValue<std::string>("digest"), kBlob);
  EXPECT_EQ(layer->getValue<int>("size"), 1234);
  auto subject = m->getObject("subject");
  EXPECT_EQ(subject->getValue<std::string>("digest"), kSubject);
  EXPECT_EQ(subject->getValue<std::string>("mediaType"), media::kOciManifest);
  EXPECT_EQ(subject->getValue<int>("size"), 567);
}

TEST(ReferrersTest, TheIndexListsEachReferrerWithItsArtifactType) {
  EXPECT_EQ(parse(buildReferrersIndex({}))->getArray("manifests")->size(), 0u);
  EXPECT_EQ(parse(buildReferrersIndex({}))->getValue<std::string>("mediaType"), media::kOciIndex);
  auto index = parse(buildReferrersIndex(
      {Referrer{kSubject, kBlob, media::kOciManifest, "application/vnd.cyclonedx+json", 99}}));
  auto entry = index->getArray("manifests")->getObject(0);
  EXPECT_EQ(entry->getValue<std::string>("digest"), kBlob);
  EXPECT_EQ(entry->getValue<std::string>("mediaType"), media::kOciManifest);
  EXPECT_EQ(entry->getValue<std::string>("artifactType"), "application/vnd.cyclonedx+json");
  EXPECT_EQ(entry->getValue<int>("size"), 99);
}

TEST(ReferrersTest, AnImagesOwnBlobsIncludeItsSbomAndArtifacts) {
  ImageRecord image;
  image.configDigest = "c";
  image.ociDigest = "o";
  image.dockerDigest = "d";
  EXPECT_EQ(image.ownBlobs(), (std::vector<std::string>{"c", "o", "d"}));
  image.sbomDigest = "s";
  image.referrers = {Referrer{"o", "a1", "", "", 1}, Referrer{"d", "a2", "", "", 1}};
  EXPECT_EQ(image.ownBlobs(),
            (std::vector<std::string>{"c", "o", "d", "s", kEmptyJsonDigest, "a1", "a2"}));
  EXPECT_EQ(image.referrer("a2")->subject, "d");
  EXPECT_EQ(image.referrer("o"), nullptr);
}

TEST(ReferrersTest, AnIndexRecordsItsPlatformsInItsArch) {
  ImageRecord index;
  index.arch = ImageRecord::joinPlatforms({"amd64", "arm64"});
  EXPECT_EQ(index.arch, "amd64,arm64");
  EXPECT_EQ(index.platforms(), (std::vector<std::string>{"amd64", "arm64"}));
  index.arch = "arm64";
  EXPECT_EQ(index.platforms(), std::vector<std::string>{"arm64"});
}

}  // namespace
}  // namespace strata
