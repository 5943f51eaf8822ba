#pragma once

#include <Poco/JSON/Object.h>

#include <string>

namespace strata {

/// A JSON object that keeps its keys in the order they are set: documents
/// Strata hashes (configs, manifests, SBOMs) must come out byte for byte the
/// same every time.
Poco::JSON::Object::Ptr orderedJson();
/// The object without whitespace.
std::string compactJson(const Poco::JSON::Object::Ptr& object);

}  // namespace strata
