#include "meta/Migration.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "util/Sha256.h"

namespace strata {

std::vector<Migration> migrationsFrom(const std::vector<EmbeddedFile>& files) {
  std::vector<Migration> out;
  for (const auto& f : files) {
    if (f.name.size() < 6 || f.name[4] != '_' ||
        !std::all_of(f.name.begin(), f.name.begin() + 4, ::isdigit))
      throw std::logic_error("migration file name must start with NNNN_: " + f.name);
    out.push_back({std::stoi(f.name.substr(0, 4)), f.name, f.content, Sha256::hex(f.content)});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version)
      throw std::logic_error("two migrations have version " + std::to_string(out[i].version));
  return out;
}

}  // namespace strata
