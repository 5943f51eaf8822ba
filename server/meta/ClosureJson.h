#pragma once

#include <string>

#include "strata/sdk/closure.h"

namespace strata {

/// A closure graph as stored with an image: the same JSON in every database
/// engine. closureFromJson throws Poco::Exception on malformed input.
std::string closureToJson(const sdk::ClosureGraph& graph);
sdk::ClosureGraph closureFromJson(const std::string& json);

}  // namespace strata
