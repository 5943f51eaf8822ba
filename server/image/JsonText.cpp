#include "image/JsonText.h"

#include <sstream>

namespace strata {

Poco::JSON::Object::Ptr orderedJson() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

std::string compactJson(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

}  // namespace strata
