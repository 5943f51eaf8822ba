#include "meta/ClosureJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace strata {

std::string closureToJson(const sdk::ClosureGraph& graph) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  Poco::JSON::Array::Ptr roots = new Poco::JSON::Array();
  for (const auto& r : graph.roots) roots->add(r);
  Poco::JSON::Array::Ptr paths = new Poco::JSON::Array();
  for (const auto& p : graph.paths) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("path", p.path);
    o->set("narSize", static_cast<Poco::UInt64>(p.narSize));
    if (!p.narHash.empty()) o->set("narHash", p.narHash);
    o->set("popularity", static_cast<Poco::UInt64>(p.popularity));
    Poco::JSON::Array::Ptr refs = new Poco::JSON::Array();
    for (const auto& r : p.references) refs->add(r);
    o->set("references", refs);
    paths->add(o);
  }
  root.set("roots", roots);
  root.set("paths", paths);
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

sdk::ClosureGraph closureFromJson(const std::string& json) {
  sdk::ClosureGraph graph;
  Poco::JSON::Parser parser;
  auto root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  auto roots = root->getArray("roots");
  for (std::size_t i = 0; i < roots->size(); ++i)
    graph.roots.push_back(roots->getElement<std::string>(static_cast<unsigned>(i)));
  auto paths = root->getArray("paths");
  for (std::size_t i = 0; i < paths->size(); ++i) {
    auto o = paths->getObject(static_cast<unsigned>(i));
    sdk::StorePath p;
    p.path = o->getValue<std::string>("path");
    p.narSize = o->getValue<Poco::UInt64>("narSize");
    // Closures recorded before NAR hashes were kept have none.
    if (o->has("narHash")) p.narHash = o->getValue<std::string>("narHash");
    p.popularity = o->getValue<Poco::UInt64>("popularity");
    auto refs = o->getArray("references");
    for (std::size_t j = 0; j < refs->size(); ++j)
      p.references.push_back(refs->getElement<std::string>(static_cast<unsigned>(j)));
    graph.paths.push_back(std::move(p));
  }
  return graph;
}

}  // namespace strata
