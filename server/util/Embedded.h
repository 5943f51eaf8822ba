#pragma once

#include <string>
#include <vector>

namespace strata {

/// A file compiled into the binary (migrations, Nix expressions).
struct EmbeddedFile {
  std::string name;
  std::string content;
};

}  // namespace strata

namespace strata::embedded_migrations {
const std::vector<EmbeddedFile>& files();
}

namespace strata::embedded_postgresql_migrations {
const std::vector<EmbeddedFile>& files();
}

namespace strata::embedded_nix {
const std::vector<EmbeddedFile>& files();
}

namespace strata::embedded_web {
const std::vector<EmbeddedFile>& files();
}
