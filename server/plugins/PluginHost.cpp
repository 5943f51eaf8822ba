#include "plugins/PluginHost.h"

#include <Poco/Logger.h>
#include <dlfcn.h>

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>

#include "layers/StrategyRegistry.h"
#include "plugins/PolicyRegistry.h"
#include "strata/sdk/plugin.h"

namespace strata {
namespace {

using Library = std::shared_ptr<boost::dll::shared_library>;

/// Names of registered objects: the same rule as plugin names, lowercase.
bool isValidObjectName(const char* name) {
  if (name == nullptr) return false;
  std::string n(name);
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return n.front() != '.' && n.front() != '-';
}

/// Owns what one plugin hands over during registration. Runs inside the
/// plugin's register function, so nothing may throw out of it: problems are
/// collected and reported after the plugin returned.
class HostRegistrar final : public sdk::Registrar {
 public:
  explicit HostRegistrar(Library library) : library_(std::move(library)) {}

  template <typename T>
  struct Registered {
    std::string name;
    std::shared_ptr<T> object;
  };

  void addLayeringStrategy(const char* name, sdk::LayeringStrategy* strategy) noexcept override {
    add("layering strategy", name, strategy, strategies_);
  }
  void addAccessPolicy(const char* name, sdk::AccessPolicy* policy) noexcept override {
    add("access policy", name, policy, policies_);
  }

  std::vector<Registered<sdk::LayeringStrategy>> strategies_;
  std::vector<Registered<sdk::AccessPolicy>> policies_;
  std::vector<std::string> errors_;

 private:
  template <typename T>
  void add(const char* kind, const char* name, T* object,
           std::vector<Registered<T>>& into) noexcept {
    try {
      // The deleter runs the plugin's own virtual destructor while the
      // captured library keeps the code loaded; only then is the library
      // released. If allocating the control block fails, shared_ptr still
      // runs the deleter.
      Library lib = library_;
      std::shared_ptr<T> owned(object, [lib](T* p) { delete p; });
      std::string shown = name == nullptr ? "(null)" : "'" + std::string(name) + "'";
      if (!isValidObjectName(name)) {
        errors_.push_back(std::string("it registered a ") + kind + " with the invalid name " +
                          shown + " (1-64 characters of a-z, 0-9, '-', '_', '.')");
        return;
      }
      if (object == nullptr) {
        errors_.push_back(std::string("it registered a null ") + kind + " " + shown);
        return;
      }
      for (const auto& r : into)
        if (r.name == name) {
          errors_.push_back(std::string("it registered the ") + kind + " " + shown + " twice");
          return;
        }
      into.push_back(Registered<T>{name, std::move(owned)});
    } catch (...) {
      // Only allocation can fail here; the object is gone already.
      try {
        errors_.emplace_back("out of memory during registration");
      } catch (...) {
      }
    }
  }

  Library library_;
};

/// dlopen's own message for a library that does not load (Boost.DLL keeps only
/// an error code): tries again with the same flags and reads dlerror().
std::string dlopenError(const std::string& file) {
  dlerror();
  void* h = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h != nullptr) {
    dlclose(h);
    return "it did not load";
  }
  const char* e = dlerror();
  return e ? e : "it did not load";
}

std::string sizeMismatch(const char* what, std::uint32_t theirs, std::uint32_t ours) {
  return "it was built with sizeof(" + std::string(what) + ") = " + std::to_string(theirs) +
         ", this strata has " + std::to_string(ours) +
         " (another compiler, standard library or SDK): rebuild it against this SDK";
}

}  // namespace

bool isValidPluginName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  return name.front() != '.' && name.front() != '-' && name.front() != '_';
}

PluginInfo PluginHost::load(const std::string& name, const std::string& file,
                            const std::string& configJson, StrategyRegistry& strategies,
                            PolicyRegistry& policies) {
  auto fail = [&](const std::string& reason) {
    return std::runtime_error("plugin '" + name + "': " + reason);
  };
  if (!isValidPluginName(name))
    throw fail("invalid plugin name (1-64 characters of A-Z, a-z, 0-9, '.', '_', '-')");
  std::error_code fsError;
  if (!std::filesystem::is_regular_file(file, fsError))
    throw fail("no file " + file + (std::filesystem::exists(file, fsError) ? " (not a file)" : ""));
  {
    // A clearer reason than dlopen's for the commonest mistake.
    char magic[4] = {};
    std::ifstream in(file, std::ios::binary);
    if (!in.read(magic, 4) || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' ||
        magic[3] != 'F')
      throw fail(file + " is not a shared library (no ELF header)");
  }

  auto library = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code ec;
  // rtld_now: a plugin with unresolved symbols fails here, at start-up, not
  // in the middle of a request. rtld_local: plugins cannot see each other.
  library->load(file, ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec || !library->is_loaded())
    throw fail("cannot load " + file + " as a shared library: " + dlopenError(file));

  for (const char* symbol : {sdk::kAbiSymbol, sdk::kRegisterSymbol})
    if (!library->has(symbol))
      throw fail(file + " is not a Strata plugin: it does not export the entry point " + symbol +
                 " (define it with STRATA_PLUGIN in strata/sdk/plugin.h)");

  // The ABI check reads only abiVersion before trusting the rest of the struct.
  const sdk::AbiInfo host = sdk::currentAbi();
  const sdk::AbiInfo* theirs = library->get<sdk::AbiFunction>(sdk::kAbiSymbol)();
  if (theirs == nullptr) throw fail(std::string(sdk::kAbiSymbol) + " returned nothing");
  if (theirs->abiVersion != host.abiVersion)
    throw fail("it was built against SDK ABI version " + std::to_string(theirs->abiVersion) +
               ", this strata needs version " + std::to_string(host.abiVersion) +
               ": rebuild it against this SDK");
  if (theirs->structSize != host.structSize)
    throw fail(sizeMismatch("AbiInfo", theirs->structSize, host.structSize));
  const struct {
    const char* what;
    std::uint32_t sdk::AbiInfo::*field;
  } kSizes[] = {{"std::string", &sdk::AbiInfo::sizeofString},
                {"std::vector", &sdk::AbiInfo::sizeofVector},
                {"StorePath", &sdk::AbiInfo::sizeofStorePath},
                {"ClosureGraph", &sdk::AbiInfo::sizeofClosureGraph},
                {"LayerPlan", &sdk::AbiInfo::sizeofLayerPlan},
                {"Subject", &sdk::AbiInfo::sizeofSubject},
                {"ImageInfo", &sdk::AbiInfo::sizeofImageInfo},
                {"Decision", &sdk::AbiInfo::sizeofDecision}};
  for (const auto& s : kSizes)
    if (theirs->*s.field != host.*s.field)
      throw fail(sizeMismatch(s.what, theirs->*s.field, host.*s.field));

  HostRegistrar registrar(library);
  char error[2048] = {};
  int status = library->get<sdk::RegisterFunction>(sdk::kRegisterSymbol)(
      &registrar, configJson.c_str(), error, sizeof error);
  error[sizeof error - 1] = '\0';
  if (status != 0)
    throw fail(std::string("registration failed: ") + (error[0] ? error : "no reason given"));
  if (!registrar.errors_.empty()) throw fail(registrar.errors_.front());
  if (registrar.strategies_.empty() && registrar.policies_.empty())
    throw fail("it registered no layering strategy and no access policy");

  // Check every name first, so that a refused plugin registers nothing.
  for (const auto& s : registrar.strategies_)
    if (strategies.has(s.name))
      throw fail("layering strategy '" + s.name + "' is already registered by " +
                 strategies.get(s.name).origin);
  for (const auto& p : registrar.policies_)
    for (const auto& e : policies.entries())
      if (e.name == p.name)
        throw fail("access policy '" + p.name + "' is already registered by " + e.origin);

  PluginInfo info;
  info.name = name;
  info.file = std::filesystem::absolute(file).lexically_normal().string();
  info.abiVersion = theirs->abiVersion;
  for (auto& s : registrar.strategies_) {
    strategies.add(s.name, std::move(s.object), name);
    info.provides.push_back({"layering", s.name});
  }
  for (auto& p : registrar.policies_) {
    policies.add(p.name, std::move(p.object), name);
    info.provides.push_back({"policy", p.name});
  }
  return info;
}

PluginHost::PluginHost(const PluginsConfig& config, StrategyRegistry& strategies,
                       PolicyRegistry& policies) {
  auto& log = Poco::Logger::get("strata.plugins");
  std::set<std::string> seen;
  for (const auto& name : config.load) {
    if (!seen.insert(name).second)
      throw std::runtime_error("plugin '" + name + "': named twice in plugins.load");
    if (!isValidPluginName(name))
      throw std::runtime_error(
          "plugin '" + name +
          "': invalid plugin name (1-64 characters of A-Z, a-z, 0-9, '.', '_', "
          "'-')");
    auto cfg = config.config.find(name);
    PluginInfo info = load(name, config.directory + "/" + name + ".so",
                           cfg == config.config.end() ? "{}" : cfg->second, strategies, policies);
    std::string provides;
    for (const auto& p : info.provides)
      provides += (provides.empty() ? "" : ", ") + p.kind + " " + p.name;
    log.information("plugin %s loaded from %s: %s", name, info.file, provides);
    plugins_.push_back(std::move(info));
  }
  for (const auto& [name, json] : config.config)
    if (!seen.count(name))
      log.warning("plugins.config.%s is set, but plugins.load does not name '%s'", name, name);
}

}  // namespace strata
