#include "http/ErrorMapping.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <string>

namespace strata {
namespace {

struct Expected {
  ErrorKind kind;
  int status;
  std::string code;
};

TEST(ErrorMapping, EveryKindHasItsStatusAndCode) {
  const Expected table[] = {
      {ErrorKind::BadRequest, 400, "UNSUPPORTED"},
      {ErrorKind::InvalidPagination, 400, "PAGINATION_NUMBER_INVALID"},
      {ErrorKind::InvalidRange, 416, "RANGE_INVALID"},
      {ErrorKind::InvalidName, 400, "NAME_INVALID"},
      {ErrorKind::InvalidTag, 400, "TAG_INVALID"},
      {ErrorKind::InvalidDigest, 400, "DIGEST_INVALID"},
      {ErrorKind::UnknownName, 404, "NAME_UNKNOWN"},
      {ErrorKind::UnknownManifest, 404, "MANIFEST_UNKNOWN"},
      {ErrorKind::UnknownBlob, 404, "BLOB_UNKNOWN"},
      {ErrorKind::Unauthorized, 401, "UNAUTHORIZED"},
      {ErrorKind::Denied, 403, "DENIED"},
      {ErrorKind::Unsupported, 405, "UNSUPPORTED"},
      {ErrorKind::Busy, 429, "TOOMANYREQUESTS"},
      {ErrorKind::SourceUnavailable, 503, "UNAVAILABLE"},
      {ErrorKind::StorageUnavailable, 503, "UNAVAILABLE"},
      {ErrorKind::BuildFailed, 500, "UNKNOWN"},
      {ErrorKind::BuildTimeout, 504, "UNAVAILABLE"},
      {ErrorKind::Internal, 500, "UNKNOWN"},
  };
  for (const auto& e : table) {
    SCOPED_TRACE(e.code);
    HttpError h = httpErrorFor(e.kind);
    EXPECT_EQ(h.status, e.status);
    ASSERT_NE(h.code, nullptr);
    EXPECT_EQ(std::string(h.code), e.code);
  }
}

TEST(ErrorMapping, UnknownKindValueIsInternal) {
  HttpError h = httpErrorFor(static_cast<ErrorKind>(1000));
  EXPECT_EQ(h.status, 500);
  EXPECT_EQ(std::string(h.code), "UNKNOWN");
}

TEST(ErrorBody, ExactShapeWithDetail) {
  EXPECT_EQ(
      errorBody("MANIFEST_UNKNOWN", "no such package: foo", "tail of the log"),
      R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"no such package: foo","detail":"tail of the log"}]})");
}

TEST(ErrorBody, DetailOmittedWhenEmpty) {
  EXPECT_EQ(errorBody("DENIED", "not allowed", ""),
            R"({"errors":[{"code":"DENIED","message":"not allowed"}]})");
}

TEST(ErrorBody, SpecialCharactersStayValidJson) {
  std::string message = "quote \" backslash \\ newline \n tab \t caf\xc3\xa9 </script>";
  std::string detail = "line 1\nline 2\r\n\x01";
  std::string body = errorBody("UNKNOWN", message, detail);
  Poco::JSON::Parser parser;
  auto obj = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
  auto errors = obj->getArray("errors");
  ASSERT_TRUE(errors);
  ASSERT_EQ(errors->size(), 1u);
  auto err = errors->getObject(0);
  EXPECT_EQ(err->getValue<std::string>("code"), "UNKNOWN");
  EXPECT_EQ(err->getValue<std::string>("message"), message);
  EXPECT_EQ(err->getValue<std::string>("detail"), detail);
  EXPECT_EQ(body.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace strata
