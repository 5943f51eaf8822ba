// Manifest media-type negotiation on the client's Accept headers
// (image/Manifest: negotiateManifest, negotiateIndex). The input is the
// headers, one per line, joined with ',' as the manifest handler joins
// several Accept headers.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "FuzzCheck.h"
#include "image/Manifest.h"

namespace strata {
namespace {

using fuzz::check;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
  });
  return s;
}

bool mentions(const std::string& accept, const char* type) {
  return lower(accept).find(type) != std::string::npos;
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace strata;
  using fuzz::check;
  std::string accept(fuzz::asText(data, size));
  std::replace(accept.begin(), accept.end(), '\n', ',');

  ManifestFormat manifest = negotiateManifest(accept);
  std::optional<ManifestFormat> index = negotiateIndex(accept);

  // A type is chosen only when the client named it.
  if (manifest == ManifestFormat::Oci)
    check(mentions(accept, media::kOciManifest), "OCI only when asked for", accept);
  if (index)
    check(mentions(accept,
                   *index == ManifestFormat::Oci ? media::kOciIndex : media::kDockerManifestList),
          "an index type only when asked for", accept);

  // Empty list items and surrounding space carry no preference.
  check(negotiateManifest(" ," + accept + ", ,") == manifest, "empty items change nothing", accept);
  check(negotiateIndex(" ," + accept + ", ,") == index, "empty items change nothing", accept);

  // A type the client refuses (q=0) never wins, and one it accepts at q=1
  // gets the answer when nothing else was acceptable.
  check(negotiateManifest(accept + "," + media::kOciManifest + ";q=0") == manifest,
        "q=0 is refusal", accept);
  if (!index)
    check(negotiateIndex(accept + "," + media::kOciIndex) == ManifestFormat::Oci,
          "an index type added to a list without one is chosen", accept);
  if (!mentions(accept, media::kOciManifest) && !mentions(accept, media::kDockerManifest))
    check(negotiateManifest(accept + "," + media::kOciManifest) == ManifestFormat::Oci,
          "the OCI manifest added to a list of neither manifest type is chosen", accept);

  // The answer does not depend on case.
  std::string upper = accept;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c);
  });
  check(negotiateManifest(upper) == manifest, "media types are case-insensitive", accept);
  check(negotiateIndex(upper) == index, "media types are case-insensitive", accept);
  return 0;
}
