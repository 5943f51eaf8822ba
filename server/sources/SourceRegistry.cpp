#include "sources/PackageSource.h"

#include "util/Error.h"

namespace strata {

void SourceRegistry::add(std::unique_ptr<PackageSource> source) {
  std::string name = source->config().name;
  if (!sources_.emplace(name, std::move(source)).second)
    throw std::invalid_argument("two sources are named '" + name + "'");
}

PackageSource& SourceRegistry::get(const std::string& name) const {
  auto it = sources_.find(name);
  if (it == sources_.end()) throw Error(ErrorKind::UnknownName, "unknown source '" + name + "'");
  return *it->second;
}

std::vector<const PackageSource*> SourceRegistry::all() const {
  std::vector<const PackageSource*> out;
  for (const auto& [name, src] : sources_) out.push_back(src.get());
  return out;
}

}  // namespace strata
