#include "image/Sbom.h"

#include <Poco/JSON/Array.h>

#include <map>
#include <stdexcept>

#include "image/JsonText.h"
#include "util/Sha256.h"

namespace strata {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr const char* kImageRef = "image";

Object::Ptr property(const std::string& name, const std::string& value) {
  auto p = orderedJson();
  p->set("name", name);
  p->set("value", value);
  return p;
}

/// A name-based UUID (version 5 layout) from a SHA-256 of the content: the
/// same document always has the same serial number.
std::string contentUuid(const std::string& content) {
  std::string h = Sha256::hex(content).substr(0, 32);
  h[12] = '5';
  static const char* kVariant = "89ab";
  h[16] = kVariant[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::string joined(const std::vector<std::string>& list, const std::string& separator) {
  std::string out;
  for (const auto& item : list) out += (out.empty() ? "" : separator) + item;
  return out;
}

Object::Ptr component(const sdk::StorePath& path, const SbomPackage* requested) {
  auto c = orderedJson();
  NameAndVersion nv = splitStorePathName(path.path);
  c->set("type", requested ? "application" : "library");
  c->set("bom-ref", path.path);
  c->set("name", nv.name);
  if (!nv.version.empty()) c->set("version", nv.version);
  if (requested && !requested->meta.description.empty())
    c->set("description", requested->meta.description);
  if (path.narHash.rfind("sha256:", 0) == 0) {
    Array::Ptr hashes = new Array();
    auto h = orderedJson();
    h->set("alg", "SHA-256");
    h->set("content", path.narHash.substr(7));
    hashes->add(h);
    c->set("hashes", hashes);
  }
  if (requested && !requested->meta.licenses.empty()) {
    Array::Ptr licenses = new Array();
    for (const auto& name : requested->meta.licenses) {
      auto license = orderedJson();
      license->set("name", name);
      auto choice = orderedJson();
      choice->set("license", license);
      licenses->add(choice);
    }
    c->set("licenses", licenses);
  }
  if (requested && !requested->meta.homepage.empty()) {
    Array::Ptr refs = new Array();
    auto website = orderedJson();
    website->set("type", "website");
    website->set("url", requested->meta.homepage);
    refs->add(website);
    c->set("externalReferences", refs);
  }
  Array::Ptr props = new Array();
  if (requested) props->add(property("nix:attribute", requested->attr));
  props->add(property("nix:store_path", path.path));
  props->add(property("nix:nar_size", std::to_string(path.narSize)));
  c->set("properties", props);
  return c;
}

Object::Ptr dependency(const std::string& ref, const std::vector<std::string>& on) {
  auto d = orderedJson();
  d->set("ref", ref);
  Array::Ptr list = new Array();
  for (const auto& r : on) list->add(r);
  d->set("dependsOn", list);
  return d;
}

}  // namespace

NameAndVersion splitStorePathName(const std::string& storePath) {
  // "/nix/store/<32 hash chars>-<name>"
  auto slash = storePath.rfind('/');
  std::string base = slash == std::string::npos ? storePath : storePath.substr(slash + 1);
  std::string name = base.size() > 33 && base[32] == '-' ? base.substr(33) : base;
  for (std::size_t i = 0; i + 1 < name.size(); ++i) {
    char next = name[i + 1];
    bool letter = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z');
    if (name[i] == '-' && !letter && i > 0) return {name.substr(0, i), name.substr(i + 1)};
  }
  return {name, ""};
}

std::string buildSbom(const SbomInput& input) {
  if (input.closure == nullptr) throw std::invalid_argument("an SBOM needs the image's closure");
  const sdk::ClosureGraph& closure = *input.closure;
  std::map<std::string, const SbomPackage*> requested;
  for (const auto& p : input.requested) requested.emplace(p.outPath, &p);

  auto doc = orderedJson();
  doc->set("bomFormat", "CycloneDX");
  doc->set("specVersion", "1.5");
  doc->set("serialNumber", "");  // set below, from the rest of the document
  doc->set("version", 1);

  auto metadata = orderedJson();
  auto tools = orderedJson();
  Array::Ptr toolList = new Array();
  auto strata = orderedJson();
  strata->set("type", "application");
  strata->set("name", "strata");
  toolList->add(strata);
  tools->set("components", toolList);
  metadata->set("tools", tools);
  auto image = orderedJson();
  image->set("type", "container");
  image->set("bom-ref", kImageRef);
  image->set("name", input.source + "/" + joined(input.packages, "/"));
  image->set("version", input.revision);
  Array::Ptr imageProps = new Array();
  imageProps->add(property("strata:source", input.source));
  imageProps->add(property("strata:revision", input.revision));
  imageProps->add(property("strata:arch", input.arch));
  imageProps->add(property("strata:packages", joined(input.packages, " ")));
  image->set("properties", imageProps);
  metadata->set("component", image);
  doc->set("metadata", metadata);

  Array::Ptr components = new Array();
  Array::Ptr dependencies = new Array();
  dependencies->add(dependency(kImageRef, closure.roots));
  for (const auto& path : closure.paths) {
    auto it = requested.find(path.path);
    components->add(component(path, it == requested.end() ? nullptr : it->second));
    dependencies->add(dependency(path.path, path.references));
  }
  doc->set("components", components);
  doc->set("dependencies", dependencies);

  doc->set("serialNumber", "urn:uuid:" + contentUuid(compactJson(doc)));
  return compactJson(doc);
}

}  // namespace strata
