#pragma once

// What a plugin library exports and how it hands its objects to the host.
//
// A plugin is a shared library exporting two C functions (the entry points):
//
//   const strata::sdk::AbiInfo* strata_plugin_abi() noexcept;
//   int strata_plugin_register(strata::sdk::Registrar*, const char* configJson,
//                              char* error, std::size_t errorLen) noexcept;
//
// Write them with STRATA_PLUGIN(registerFunction) at the end of one source
// file; the macro gives them default visibility (build everything else with
// -fvisibility=hidden) and catches every exception of the register function.
//
// The host calls strata_plugin_abi first and refuses the library unless every
// field equals its own: the SDK hands C++ objects (std::string, std::vector,
// virtual functions) across the boundary, so a mismatch would not be an error
// but undefined behaviour.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "strata/sdk/abi.h"
#include "strata/sdk/closure.h"
#include "strata/sdk/layering.h"
#include "strata/sdk/policy.h"

namespace strata::sdk {

/// How the plugin was built. `abiVersion` stays the first field in every
/// version of the SDK, so that a host can always read it; `structSize` guards
/// the rest.
struct AbiInfo {
  std::uint32_t abiVersion;
  std::uint32_t structSize;  ///< sizeof(AbiInfo)
  /// Sizes of the standard types inside the SDK's types: they differ between
  /// standard libraries and between libstdc++'s old and new string ABI.
  std::uint32_t sizeofString;
  std::uint32_t sizeofVector;
  std::uint32_t sizeofStorePath;
  std::uint32_t sizeofClosureGraph;
  std::uint32_t sizeofLayerPlan;
  std::uint32_t sizeofSubject;
  std::uint32_t sizeofImageInfo;
  std::uint32_t sizeofDecision;
};

/// The AbiInfo of whatever includes this header: the plugin's and the host's
/// are each computed by their own compiler.
constexpr AbiInfo currentAbi() noexcept {
  return AbiInfo{kAbiVersion,
                 static_cast<std::uint32_t>(sizeof(AbiInfo)),
                 static_cast<std::uint32_t>(sizeof(std::string)),
                 static_cast<std::uint32_t>(sizeof(std::vector<std::string>)),
                 static_cast<std::uint32_t>(sizeof(StorePath)),
                 static_cast<std::uint32_t>(sizeof(ClosureGraph)),
                 static_cast<std::uint32_t>(sizeof(LayerPlan)),
                 static_cast<std::uint32_t>(sizeof(Subject)),
                 static_cast<std::uint32_t>(sizeof(ImageInfo)),
                 static_cast<std::uint32_t>(sizeof(Decision))};
}

/// The host's side of registration. A plugin creates each object with `new`
/// and hands it over; from then on the host owns it and destroys it through
/// its virtual destructor (code of the plugin, run while the library is still
/// loaded). Names are 1-64 characters of a-z, 0-9, '-', '_', '.'; a name
/// already taken, or an invalid one, makes the start-up fail with a message
/// naming the plugin. Both functions take ownership even when they refuse.
class Registrar {
 public:
  virtual void addLayeringStrategy(const char* name, LayeringStrategy* strategy) noexcept = 0;
  virtual void addAccessPolicy(const char* name, AccessPolicy* policy) noexcept = 0;

 protected:
  ~Registrar() = default;  // the host owns the registrar; plugins never delete it
};

/// The entry points' names and types, for the host.
inline constexpr const char* kAbiSymbol = "strata_plugin_abi";
inline constexpr const char* kRegisterSymbol = "strata_plugin_register";
using AbiFunction = const AbiInfo*() noexcept;
using RegisterFunction = int(Registrar*, const char*, char*, std::size_t) noexcept;

/// Runs the body of LayeringStrategy::plan and turns any exception into a
/// failed plan (the host answers that request with a 500 naming the plugin).
/// An exception leaving a noexcept function would end the whole server.
template <typename Body>
LayerPlan guardPlan(Body&& body) noexcept {
  LayerPlan plan;
  try {
    plan.layers = std::forward<Body>(body)();
  } catch (const std::exception& e) {
    plan = LayerPlan{};
    plan.ok = false;
    plan.error = e.what();
  } catch (...) {
    plan = LayerPlan{};
    plan.ok = false;
    plan.error = "unknown exception";
  }
  return plan;
}

/// Runs the body of AccessPolicy::check and turns any exception into a deny
/// (fail closed: a policy that cannot decide must not let the image through).
template <typename Body>
Decision guardDecision(Body&& body) noexcept {
  try {
    return std::forward<Body>(body)();
  } catch (const std::exception& e) {
    try {
      return Decision{false, std::string("the policy failed: ") + e.what()};
    } catch (...) {
    }
  } catch (...) {
  }
  return Decision{false, "the policy failed"};
}

namespace detail {

inline void copyError(const char* message, char* error, std::size_t errorLen) noexcept {
  if (error == nullptr || errorLen == 0) return;
  std::size_t n = std::strlen(message);
  if (n >= errorLen) n = errorLen - 1;
  std::memcpy(error, message, n);
  error[n] = '\0';
}

/// The body of strata_plugin_register: 0 on success, else 1 with the message
/// in `error` (truncated to errorLen - 1 bytes).
template <typename Fn>
int runRegister(Fn& fn, Registrar* registrar, const char* configJson, char* error,
                std::size_t errorLen) noexcept {
  if (registrar == nullptr) {
    copyError("no registrar given", error, errorLen);
    return 1;
  }
  try {
    fn(*registrar, std::string(configJson == nullptr ? "{}" : configJson));
    return 0;
  } catch (const std::exception& e) {
    copyError(e.what(), error, errorLen);
  } catch (...) {
    copyError("unknown exception during registration", error, errorLen);
  }
  return 1;
}

}  // namespace detail
}  // namespace strata::sdk

/// Defines the two entry points of a plugin. `registerFn` is a function
/// `void (strata::sdk::Registrar& registrar, const std::string& configJson)`
/// that creates the plugin's objects and hands them to the registrar; it may
/// throw (for example on a bad configuration): the message becomes the
/// start-up error naming the plugin. `configJson` is the JSON object
/// plugins.config.NAME, or "{}".
#define STRATA_PLUGIN(registerFn)                                                                  \
  extern "C" __attribute__((visibility("default"))) const ::strata::sdk::AbiInfo*                  \
  strata_plugin_abi() noexcept {                                                                   \
    static constexpr ::strata::sdk::AbiInfo kInfo = ::strata::sdk::currentAbi();                   \
    return &kInfo;                                                                                 \
  }                                                                                                \
  extern "C" __attribute__((visibility("default"))) int strata_plugin_register(                    \
      ::strata::sdk::Registrar* registrar, const char* configJson, char* error,                    \
      std::size_t errorLen) noexcept {                                                             \
    return ::strata::sdk::detail::runRegister(registerFn, registrar, configJson, error, errorLen); \
  }
