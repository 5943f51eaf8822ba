#include "http/handlers/BuildJson.h"

#include <Poco/JSON/Array.h>

namespace strata {

Poco::JSON::Object::Ptr buildJson(const BuildStatus& b, bool withLog) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", b.id);
  o->set("image", b.image);
  o->set("source", b.source);
  o->set("revision", b.revision);
  o->set("state", b.state);
  o->set("createdAt", static_cast<Poco::Int64>(b.createdAt));
  if (b.finishedAt) o->set("finishedAt", static_cast<Poco::Int64>(b.finishedAt));
  if (!b.ociDigest.empty()) o->set("digest", b.ociDigest);
  if (!b.dockerDigest.empty()) o->set("dockerDigest", b.dockerDigest);
  if (!b.error.empty()) o->set("error", b.error);
  if (withLog) {
    Poco::JSON::Array::Ptr log = new Poco::JSON::Array();
    for (const auto& line : b.log) log->add(line);
    o->set("log", log);
    o->set("logTruncated", b.logTruncated);
  }
  return o;
}

}  // namespace strata
