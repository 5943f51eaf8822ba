// Plugin policy-network: the access policy `network` allows an image only to
// clients whose address is in its source's CIDR allowlist.
//
//   "plugins": { "config": { "policy-network": { "sources": {
//     "internal": ["10.0.0.0/8", "fd00::/8"],
//     "*":        ["127.0.0.1/32", "::1"]
//   } } } }
//
// A source named in `sources` uses its own list; any other source uses the
// list under "*", and is open to every address when there is none. An address
// without "/bits" is one host. IPv4 clients reached over IPv6
// (::ffff:a.b.c.d) match IPv4 entries.
#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "strata/sdk/json.h"
#include "strata/sdk/plugin.h"

namespace {

using namespace strata::sdk;

/// An address as 16 bytes; IPv4 as IPv4-mapped IPv6, so that one comparison
/// serves both families.
struct Address {
  std::array<unsigned char, 16> bytes{};
  bool v4 = false;
};

std::optional<Address> parseAddress(const std::string& text) {
  Address a;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    a.bytes[10] = a.bytes[11] = 0xff;
    std::memcpy(&a.bytes[12], &v4, 4);
    a.v4 = true;
    return a;
  }
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(a.bytes.data(), &v6, 16);
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    a.v4 = std::memcmp(a.bytes.data(), kMapped, 12) == 0;
    return a;
  }
  return std::nullopt;
}

struct Network {
  Address base;
  unsigned bits = 0;  ///< prefix length over the 128-bit form
  std::string text;

  bool contains(const Address& a) const {
    if (a.v4 != base.v4) return false;
    for (unsigned i = 0; i < 16; ++i) {
      unsigned left = bits > i * 8 ? bits - i * 8 : 0;
      if (left == 0) break;
      unsigned char mask = left >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - left));
      if ((a.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
    }
    return true;
  }
};

Network parseNetwork(const std::string& text, const std::string& what) {
  auto slash = text.find('/');
  std::string host = text.substr(0, slash);
  auto addr = parseAddress(host);
  if (!addr) throw json::Error(what + ": '" + text + "' is not an IP address or CIDR");
  Network n{*addr, 128, text};
  unsigned max = addr->v4 ? 32 : 128;
  if (slash != std::string::npos) {
    std::string len = text.substr(slash + 1);
    if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(len) > max)
      throw json::Error(what + ": '" + text + "' has a bad prefix length");
    n.bits = static_cast<unsigned>(std::stoul(len)) + (addr->v4 ? 96 : 0);
  }
  // Host bits set below the prefix are almost always a typo ("10.0.0.1/8").
  Network canonical = n;
  for (unsigned i = 0; i < 16; ++i) {
    unsigned left = n.bits > i * 8 ? n.bits - i * 8 : 0;
    unsigned char mask = left >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - left));
    if (left == 0) mask = 0;
    canonical.base.bytes[i] = n.base.bytes[i] & mask;
  }
  if (canonical.base.bytes != n.base.bytes)
    throw json::Error(what + ": '" + text + "' has host bits set after the prefix");
  return n;
}

class NetworkPolicy final : public AccessPolicy {
 public:
  NetworkPolicy(std::map<std::string, std::vector<Network>> bySource,
                std::optional<std::vector<Network>> fallback)
      : bySource_(std::move(bySource)), fallback_(std::move(fallback)) {}

  Decision check(const Subject& subject, const std::string&,
                 const ImageInfo& image) noexcept override {
    return guardDecision([&]() -> Decision {
      const std::vector<Network>* list = nullptr;
      if (auto it = bySource_.find(image.source); it != bySource_.end())
        list = &it->second;
      else if (fallback_)
        list = &*fallback_;
      if (list == nullptr) return Decision{true, ""};
      auto addr = parseAddress(subject.clientAddress);
      if (!addr)
        return Decision{false,
                        "client address '" + subject.clientAddress + "' is not an IP address"};
      for (const auto& n : *list)
        if (n.contains(*addr)) return Decision{true, ""};
      return Decision{false, "client address " + subject.clientAddress +
                                 " is not in the allowlist of source '" + image.source + "'"};
    });
  }

 private:
  const std::map<std::string, std::vector<Network>> bySource_;
  const std::optional<std::vector<Network>> fallback_;
};

void registerPlugin(Registrar& registrar, const std::string& configJson) {
  const std::string base = "plugins.config.policy-network";
  json::Value config = json::parse(configJson);
  config.requireOnly({"sources"}, base);
  std::map<std::string, std::vector<Network>> bySource;
  std::optional<std::vector<Network>> fallback;
  if (const json::Value* sources = config.find("sources")) {
    for (const auto& [name, list] : sources->asObject(base + ".sources")) {
      std::string what = base + ".sources." + name;
      std::vector<Network> nets;
      for (const auto& item : list.asArray(what))
        nets.push_back(parseNetwork(item.asString(what), what));
      if (name == "*")
        fallback = std::move(nets);
      else
        bySource[name] = std::move(nets);
    }
  }
  registrar.addAccessPolicy("network", new NetworkPolicy(std::move(bySource), std::move(fallback)));
}

}  // namespace

STRATA_PLUGIN(registerPlugin)
