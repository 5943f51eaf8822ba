#include "http/ErrorMapping.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace strata {

HttpError httpErrorFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::BadRequest:
      return {400, "UNSUPPORTED"};
    case ErrorKind::InvalidPagination:
      return {400, "PAGINATION_NUMBER_INVALID"};
    case ErrorKind::InvalidRange:
      return {416, "RANGE_INVALID"};
    case ErrorKind::InvalidName:
      return {400, "NAME_INVALID"};
    case ErrorKind::InvalidTag:
      return {400, "TAG_INVALID"};
    case ErrorKind::InvalidDigest:
      return {400, "DIGEST_INVALID"};
    case ErrorKind::UnknownName:
      return {404, "NAME_UNKNOWN"};
    case ErrorKind::UnknownManifest:
      return {404, "MANIFEST_UNKNOWN"};
    case ErrorKind::UnknownBlob:
      return {404, "BLOB_UNKNOWN"};
    case ErrorKind::Unauthorized:
      return {401, "UNAUTHORIZED"};
    case ErrorKind::Denied:
      return {403, "DENIED"};
    case ErrorKind::Unsupported:
      return {405, "UNSUPPORTED"};
    case ErrorKind::Busy:
      return {429, "TOOMANYREQUESTS"};
    case ErrorKind::SourceUnavailable:
    case ErrorKind::StorageUnavailable:
    case ErrorKind::ShuttingDown:
      return {503, "UNAVAILABLE"};
    case ErrorKind::StorageFull:
      return {507, "UNAVAILABLE"};
    case ErrorKind::BuildFailed:
      return {500, "UNKNOWN"};
    case ErrorKind::BuildTimeout:
      return {504, "UNAVAILABLE"};
    case ErrorKind::Internal:
      return {500, "UNKNOWN"};
  }
  return {500, "UNKNOWN"};
}

std::string errorBody(const std::string& code, const std::string& message,
                      const std::string& detail) {
  Poco::JSON::Object::Ptr err = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  err->set("code", code);
  err->set("message", message);
  if (!detail.empty()) err->set("detail", detail);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array();
  list->add(err);
  Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
  body.set("errors", list);
  std::ostringstream out;
  body.stringify(out);
  return out.str();
}

}  // namespace strata
