#include "image/PackageMeta.h"

#include <algorithm>

namespace strata {

/// `text` cut to whole UTF-8 characters within `limit` bytes, without control
/// characters (newlines and tabs become spaces) or invalid sequences.
std::string printableText(const std::string& text, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    bool whole = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; whole && k < len; ++k)
      whole = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (!whole) {
      ++i;  // not UTF-8: dropped
      continue;
    }
    if (out.size() + len > limit) break;
    if (len > 1)
      out.append(text, i, len);
    else if (c >= 0x20 && c != 0x7f)
      out += static_cast<char>(c);
    else if (c == '\n' || c == '\t')
      out += ' ';
    i += len;
  }
  return out;
}

namespace {

bool isWebUrl(const std::string& url) {
  if (url.size() > 2000) return false;
  std::size_t start = url.rfind("https://", 0) == 0 ? 8 : url.rfind("http://", 0) == 0 ? 7 : 0;
  if (start == 0 || url.size() == start) return false;
  for (unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f ||
        std::string("\"<>\\^`{|}").find(static_cast<char>(c)) != std::string::npos)
      return false;
  return true;
}

std::string stringOr(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  if (!o->has(key)) return {};
  auto v = o->get(key);
  return v.isString() ? v.extract<std::string>() : std::string();
}

}  // namespace

PackageMeta parsePackageMeta(const Poco::JSON::Object::Ptr& meta) {
  PackageMeta out;
  if (!meta) return out;
  out.description = printableText(stringOr(meta, "description"), 1000);
  std::string homepage = stringOr(meta, "homepage");
  if (isWebUrl(homepage)) out.homepage = homepage;
  if (auto list = meta->getArray("licenses")) {
    for (std::size_t i = 0; i < list->size() && out.licenses.size() < 16; ++i) {
      auto v = list->get(static_cast<unsigned>(i));
      if (!v.isString()) continue;
      std::string name = printableText(v.extract<std::string>(), 100);
      if (!name.empty() &&
          std::find(out.licenses.begin(), out.licenses.end(), name) == out.licenses.end())
        out.licenses.push_back(name);
    }
  }
  return out;
}

}  // namespace strata
