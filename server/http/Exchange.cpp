#include "http/Exchange.h"

#include <Poco/JSON/Parser.h>

#include <sstream>

#include "util/Error.h"

namespace strata {

std::optional<std::string> Exchange::queryValue(const std::string& key) const {
  for (const auto& [k, v] : query)
    if (k == key) return v;
  return std::nullopt;
}

std::vector<std::string> Exchange::queryValues(const std::string& key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query)
    if (k == key) out.push_back(v);
  return out;
}

void Exchange::sendBody(const std::string& contentType, const std::string& body) {
  response.setContentType(contentType);
  response.setContentLength64(static_cast<Poco::UInt64>(body.size()));
  auto& out = response.send();
  if (!head()) out << body;
}

void Exchange::sendJson(const Poco::JSON::Object& json) {
  std::ostringstream out;
  json.stringify(out);
  sendJson(out.str());
}

Poco::JSON::Object::Ptr Exchange::readJsonBody() {
  constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  std::string body;
  auto& in = request.stream();
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    body.append(buf, static_cast<std::size_t>(in.gcount()));
    if (body.size() > kMaxBodyBytes)
      throw Error(ErrorKind::BadRequest, "request body larger than 64 KiB");
  }
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(body);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
  }
  throw Error(ErrorKind::BadRequest, "the request body must be a JSON object");
}

std::string jsonField(const Poco::JSON::Object::Ptr& body, const std::string& key, bool required) {
  if (!body->has(key) || body->isNull(key)) {
    if (required) throw Error(ErrorKind::BadRequest, "the request body needs \"" + key + "\"");
    return "";
  }
  auto v = body->get(key);
  if (!v.isString()) throw Error(ErrorKind::BadRequest, "\"" + key + "\" must be a string");
  return v.extract<std::string>();
}

}  // namespace strata
