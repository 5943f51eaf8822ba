#pragma once

#include <memory>

namespace strata {

struct Config;
class BlobStore;

/// The blob store `storage.backend` names. Throws std::runtime_error naming
/// the problem.
std::unique_ptr<BlobStore> openBlobStore(const Config& config);

}  // namespace strata
