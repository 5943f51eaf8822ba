#pragma once

#include <memory>
#include <string>

namespace strata {

struct Config;
class ImageRepository;
class AuthRepository;
class BuildRepository;

/// The metadata database of one engine, opened and migrated: the
/// repositories every other component reads and writes through. Nothing
/// outside meta/ knows which engine runs.
class MetadataStore {
 public:
  virtual ~MetadataStore() = default;
  virtual ImageRepository& images() = 0;
  virtual AuthRepository& auth() = 0;
  virtual BuildRepository& builds() = 0;
  /// The engine and where its data is, for the log ("sqlite /var/strata.db").
  virtual std::string describe() const = 0;
};

/// Opens the engine `database.backend` names, applying pending migrations.
/// Throws std::runtime_error naming the problem.
std::unique_ptr<MetadataStore> openMetadataStore(const Config& config);

}  // namespace strata
