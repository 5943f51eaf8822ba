#include "image/Manifest.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <string>

#include "../support/TestSupport.h"
#include "util/Sha256.h"

namespace strata {
namespace {

std::string golden(const std::string& name) {
  return test::readFile(std::string(STRATA_SOURCE_DIR) + "/tests/unit/image/golden/" + name);
}

std::vector<LayerBlob> twoLayers() {
  return {
      LayerBlob{Digest::fromHex(std::string(64, '1')), Digest::fromHex(std::string(64, 'a')), 1234},
      LayerBlob{Digest::fromHex(std::string(64, '2')), Digest::fromHex(std::string(64, 'b')),
                5000000000ull},
  };
}

ImageOrigin origin() {
  return ImageOrigin{"arm64", "demo", "0123abcd", {"busybox", "hello"}};
}

TEST(Manifest, ImageConfigMatchesGolden) {
  EXPECT_EQ(buildImageConfig(origin(), twoLayers()), golden("config.json"));
}

TEST(Manifest, ImageConfigWithoutLayersMatchesGolden) {
  EXPECT_EQ(buildImageConfig(ImageOrigin{"amd64", "demo", "r", {}}, {}),
            golden("config-empty.json"));
}

TEST(Manifest, OciManifestMatchesGolden) {
  EXPECT_EQ(buildManifest(ManifestFormat::Oci, "sha256:" + std::string(64, 'c'), 321, twoLayers()),
            golden("manifest-oci.json"));
}

TEST(Manifest, DockerManifestMatchesGolden) {
  EXPECT_EQ(
      buildManifest(ManifestFormat::Docker, "sha256:" + std::string(64, 'c'), 321, twoLayers()),
      golden("manifest-docker.json"));
}

TEST(Manifest, LayerAnnotationsAreKeptInTheirOrder) {
  auto layers = twoLayers();
  layers[0].annotations = {{"containerd.io/snapshot/nix-layer", "true"},
                           {"containerd.io/snapshot/nix-store-path.1", "/nix/store/b"},
                           {"containerd.io/snapshot/nix-store-path.0", "/nix/store/a"}};
  std::string m = buildManifest(ManifestFormat::Oci, "sha256:" + std::string(64, 'c'), 321, layers);
  EXPECT_NE(m.find(R"("annotations":{"containerd.io/snapshot/nix-layer":"true",)"
                   R"("containerd.io/snapshot/nix-store-path.1":"/nix/store/b",)"
                   R"("containerd.io/snapshot/nix-store-path.0":"/nix/store/a"})"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find("annotations", m.find("annotations") + 1), std::string::npos)
      << "a layer without annotations has none";
}

TEST(Manifest, AnIndexListsOnePlatformManifestEach) {
  std::vector<PlatformManifest> list{{"amd64", "sha256:" + std::string(64, 'a'), 10},
                                     {"arm64", "sha256:" + std::string(64, 'b'), 20}};
  EXPECT_EQ(
      buildIndex(ManifestFormat::Oci, list),
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
          std::string(64, 'a') +
          R"(","size":10,"platform":{"architecture":"amd64","os":"linux"}},)"
          R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
          std::string(64, 'b') +
          R"(","size":20,"platform":{"architecture":"arm64","os":"linux"}}]})");
  EXPECT_NE(buildIndex(ManifestFormat::Docker, list)
                .find(R"("mediaType":"application/vnd.docker.distribution.manifest.list.v2+json")"),
            std::string::npos);
}

TEST(NegotiateIndex, TheFirstAcceptedIndexFormatElseNone) {
  EXPECT_FALSE(negotiateIndex(""));
  EXPECT_FALSE(negotiateIndex(media::kOciManifest));
  EXPECT_EQ(negotiateIndex(std::string(media::kOciIndex) + "," + media::kDockerManifestList),
            ManifestFormat::Oci);
  EXPECT_EQ(negotiateIndex(std::string(media::kDockerManifestList) + "," + media::kOciIndex),
            ManifestFormat::Docker);
  EXPECT_EQ(negotiateIndex(std::string(media::kOciIndex) + ";q=0.5," + media::kDockerManifestList),
            ManifestFormat::Docker);
}

TEST(Manifest, EqualInputsGiveEqualBytes) {
  EXPECT_EQ(buildImageConfig(origin(), twoLayers()), buildImageConfig(origin(), twoLayers()));
  auto layers = twoLayers();
  std::swap(layers[0], layers[1]);
  // Layer order is meaningful and kept.
  EXPECT_NE(buildImageConfig(origin(), twoLayers()), buildImageConfig(origin(), layers));
}

TEST(Manifest, LabelsAreEscapedJson) {
  ImageOrigin o{"amd64", "we\"ird\\src", "rev\n1", {"caf\xc3\xa9", "b\"q"}};
  std::string cfg = buildImageConfig(o, {});
  Poco::JSON::Parser parser;
  auto obj = parser.parse(cfg).extract<Poco::JSON::Object::Ptr>();
  auto labels = obj->getObject("config")->getObject("Labels");
  EXPECT_EQ(labels->getValue<std::string>("dev.strata.source"), "we\"ird\\src");
  EXPECT_EQ(labels->getValue<std::string>("org.opencontainers.image.revision"), "rev\n1");
  EXPECT_EQ(labels->getValue<std::string>("dev.strata.packages"), "caf\xc3\xa9 b\"q");
}

TEST(Manifest, MediaTypes) {
  EXPECT_STREQ(manifestMediaType(ManifestFormat::Oci),
               "application/vnd.oci.image.manifest.v1+json");
  EXPECT_STREQ(manifestMediaType(ManifestFormat::Docker),
               "application/vnd.docker.distribution.manifest.v2+json");
}

// ---------------------------------------------------------------------------
// negotiateManifest

const std::string kOci = media::kOciManifest;
const std::string kDocker = media::kDockerManifest;

TEST(NegotiateManifest, NoHeaderMeansDocker) {
  EXPECT_EQ(negotiateManifest(""), ManifestFormat::Docker);
}

TEST(NegotiateManifest, SingleType) {
  EXPECT_EQ(negotiateManifest(kOci), ManifestFormat::Oci);
  EXPECT_EQ(negotiateManifest(kDocker), ManifestFormat::Docker);
}

TEST(NegotiateManifest, FirstAcceptableTypeWins) {
  EXPECT_EQ(negotiateManifest(kOci + ", " + kDocker), ManifestFormat::Oci);
  EXPECT_EQ(negotiateManifest(kDocker + ", " + kOci), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest(kOci + "," + kDocker), ManifestFormat::Oci);
}

TEST(NegotiateManifest, QValuesAreHonoured) {
  EXPECT_EQ(negotiateManifest(kDocker + ";q=0.5, " + kOci), ManifestFormat::Oci);
  EXPECT_EQ(negotiateManifest(kOci + ";q=0.1, " + kDocker + ";q=0.9"), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest(kOci + " ; q=0.8 , " + kDocker + " ; q=0.7"), ManifestFormat::Oci);
  EXPECT_EQ(negotiateManifest(kDocker + ";q=0.5, " + kOci + ";q=0.5"), ManifestFormat::Docker);
}

TEST(NegotiateManifest, QZeroMeansNotAcceptable) {
  EXPECT_EQ(negotiateManifest(kOci + ";q=0"), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest(kDocker + ";q=0, " + kOci + ";q=0.001"), ManifestFormat::Oci);
}

TEST(NegotiateManifest, OtherParametersAreIgnored) {
  EXPECT_EQ(negotiateManifest(kOci + "; charset=utf-8"), ManifestFormat::Oci);
}

TEST(NegotiateManifest, TypesAreCaseInsensitive) {
  EXPECT_EQ(negotiateManifest("Application/VND.OCI.Image.Manifest.v1+JSON"), ManifestFormat::Oci);
}

TEST(NegotiateManifest, WildcardsAndOtherTypesFallBackToDocker) {
  EXPECT_EQ(negotiateManifest("*/*"), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest("application/*"), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest("application/json, text/plain"), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest("application/vnd.oci.image.index.v1+json, "
                              "application/vnd.docker.distribution.manifest.list.v2+json, " +
                              kOci),
            ManifestFormat::Oci);
}

// Found by tests/fuzz/fuzz_accept: "Q=0" was not a refusal, so the answer
// changed with the case of the header.
TEST(NegotiateManifest, TheQParameterNameIsCaseInsensitive) {
  EXPECT_EQ(negotiateManifest(kOci + ";Q=0, " + kDocker + ";q=0.001"), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest(kDocker + "; Q=0.5, " + kOci), ManifestFormat::Oci);
  EXPECT_FALSE(negotiateIndex(std::string(media::kOciIndex) + ";Q=0"));
}

// RFC 9110 qvalues only: what a float parser would also take is a refusal.
TEST(NegotiateManifest, QValuesFollowTheRfcGrammar) {
  EXPECT_EQ(negotiateManifest(kDocker + ";q=0.5, " + kOci + ";q=0.501"), ManifestFormat::Oci);
  EXPECT_EQ(negotiateManifest(kOci + ";q=1., " + kDocker), ManifestFormat::Oci);
  EXPECT_EQ(negotiateManifest(kOci + ";q=1.000, " + kDocker), ManifestFormat::Oci);
  for (std::string bad : {"inf", "1e-1", "0.0001", "1.5", "2", "-1", "+1", " 1", ".5", "0x1", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(negotiateManifest(kOci + ";q=" + bad), ManifestFormat::Docker);
  }
}

TEST(NegotiateManifest, GarbageFallsBackToDocker) {
  EXPECT_EQ(negotiateManifest(",,,;;;"), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest("\x01\x02 nonsense"), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest(kOci + ";q=banana"), ManifestFormat::Docker);
  EXPECT_EQ(negotiateManifest(kOci + "x"), ManifestFormat::Docker);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(Manifest, ZstdLayersOnlyInOciManifests) {
  std::vector<LayerBlob> layers{
      LayerBlob{Digest::fromHex(std::string(64, '1')), Digest::fromHex(std::string(64, 'a')), 7}};
  std::string oci =
      buildManifest(ManifestFormat::Oci, "sha256:" + std::string(64, 'c'), 9, layers, Codec::Zstd);
  Poco::JSON::Parser parser;
  auto m = parser.parse(oci).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(m->getArray("layers")->getObject(0)->getValue<std::string>("mediaType"),
            media::kOciLayerZstd);
  EXPECT_EQ(m->getValue<std::string>("mediaType"), media::kOciManifest);
  EXPECT_THROW(buildManifest(ManifestFormat::Docker, "sha256:" + std::string(64, 'c'), 9, layers,
                             Codec::Zstd),
               std::invalid_argument);
  // gzip stays the default and the golden files above do not move.
  EXPECT_EQ(
      buildManifest(ManifestFormat::Oci, "sha256:" + std::string(64, 'c'), 9, layers),
      buildManifest(ManifestFormat::Oci, "sha256:" + std::string(64, 'c'), 9, layers, Codec::Gzip));
}

}  // namespace
}  // namespace strata
