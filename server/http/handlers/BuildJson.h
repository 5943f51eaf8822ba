#pragma once

#include <Poco/JSON/Object.h>

#include "builder/BuildLog.h"

namespace strata {

/// A build as the builds API shows it; with its log for a single build.
Poco::JSON::Object::Ptr buildJson(const BuildStatus& build, bool withLog);

}  // namespace strata
