#include "image/Referrers.h"

#include <Poco/JSON/Array.h>

#include <cstring>

#include "image/JsonText.h"
#include "image/Manifest.h"

namespace strata {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr descriptor(const Descriptor& d) {
  auto o = orderedJson();
  o->set("mediaType", d.mediaType);
  o->set("digest", d.digest);
  o->set("size", static_cast<Poco::UInt64>(d.size));
  return o;
}

}  // namespace

std::string buildArtifactManifest(const std::string& artifactType, const Descriptor& blob,
                                  const Descriptor& subject) {
  auto m = orderedJson();
  m->set("schemaVersion", 2);
  m->set("mediaType", media::kOciManifest);
  m->set("artifactType", artifactType);
  auto config = descriptor({media::kOciEmpty, kEmptyJsonDigest, std::strlen(kEmptyJson)});
  config->set("data", "e30=");  // kEmptyJson in base64: clients need not fetch it
  m->set("config", config);
  Array::Ptr layers = new Array();
  layers->add(descriptor(blob));
  m->set("layers", layers);
  m->set("subject", descriptor(subject));
  return compactJson(m);
}

std::string buildReferrersIndex(const std::vector<Referrer>& referrers) {
  auto index = orderedJson();
  index->set("schemaVersion", 2);
  index->set("mediaType", media::kOciIndex);
  Array::Ptr list = new Array();
  for (const auto& r : referrers) {
    auto d = descriptor({r.mediaType, r.digest, r.size});
    d->set("artifactType", r.artifactType);
    list->add(d);
  }
  index->set("manifests", list);
  return compactJson(index);
}

}  // namespace strata
