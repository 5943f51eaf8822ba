#include <gtest/gtest.h>

#include <stdexcept>

#include "storage/s3/S3Client.h"

namespace strata::s3 {
namespace {

TEST(S3Endpoint, PathStyleNamesTheBucketInThePath) {
  Endpoint e = Endpoint::parse("http://127.0.0.1:9000", "strata", "us-east-1", true);
  EXPECT_EQ(e.hostHeader(), "127.0.0.1:9000");
  EXPECT_EQ(e.pathOf("reg/sha256/ab"), "/strata/reg/sha256/ab");
  EXPECT_EQ(e.url(), "http://127.0.0.1:9000");
}

TEST(S3Endpoint, VirtualHostedStyleNamesTheBucketInTheHost) {
  Endpoint e =
      Endpoint::parse("https://s3.eu-west-1.amazonaws.com", "my.bucket", "eu-west-1", false);
  EXPECT_EQ(e.hostHeader(), "my.bucket.s3.eu-west-1.amazonaws.com");  // default port: not named
  EXPECT_EQ(e.pathOf("sha256/ab"), "/sha256/ab");
  EXPECT_EQ(e.port, 443);
  Endpoint p = Endpoint::parse("http://minio:9000/", "b", "us-east-1", false);
  EXPECT_EQ(p.hostHeader(), "b.minio:9000");
}

TEST(S3Endpoint, KeysAreEncodedButKeepTheirSlashes) {
  Endpoint e = Endpoint::parse("http://h", "b", "us-east-1", true);
  EXPECT_EQ(e.pathOf("a b/c+d"), "/b/a%20b/c%2Bd");
}

TEST(S3Endpoint, BadEndpointsAreRejectedSayingWhy) {
  auto error = [](const std::string& url) {
    try {
      Endpoint::parse(url, "b", "us-east-1", true);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(error("ftp://h").find("must start with http:// or https://"), std::string::npos);
  EXPECT_NE(error("http://h/bucket").find("must not have a path"), std::string::npos);
  EXPECT_NE(error("http://").find("names no host"), std::string::npos);
}

}  // namespace
}  // namespace strata::s3
