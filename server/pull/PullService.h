#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/Caller.h"
#include "image/ImageName.h"
#include "image/ImageRecord.h"
#include "util/Digest.h"

namespace strata {

struct Config;
class AccessGate;
class BlobReader;
class BlobStore;
class BuildService;
class ImageRepository;
class Metrics;
class SourceRegistry;

/// GET|HEAD /v2/<name>/manifests/<reference>, without HTTP.
struct ManifestQuery {
  Caller caller;
  std::string name;
  std::string reference;  ///< a tag or a digest, as sent
  std::string accept;     ///< the client's Accept headers, comma-joined
  bool head = false;      ///< HEAD: the answer's body is not sent (and not audited)
};

struct ManifestAnswer {
  std::string digest;
  std::string mediaType;
  std::string body;
};

/// GET|HEAD /v2/<name>/blobs/<digest>, without HTTP.
struct BlobQuery {
  Caller caller;
  std::string name;
  std::string digest;  ///< as sent
  bool open = true;    ///< false for HEAD: size only
};

/// A blob to serve: from `reader`, or where `redirect` points (a store that
/// presigns). Neither is set when the query did not ask to open it (HEAD).
struct BlobAnswer {
  std::string digest;
  std::uint64_t size = 0;
  std::optional<std::string> redirect;
  std::unique_ptr<BlobReader> reader;

  BlobAnswer();
  BlobAnswer(BlobAnswer&&) noexcept;
  BlobAnswer& operator=(BlobAnswer&&) noexcept;
  ~BlobAnswer();
};

/// GET /v2/<name>/referrers/<digest>, without HTTP.
struct ReferrersQuery {
  Caller caller;
  std::string name;
  std::string digest;        ///< of the subject, as sent
  std::string artifactType;  ///< only referrers of this type; "" for all
};

struct ReferrersAnswer {
  std::vector<Referrer> referrers;
  bool filtered = false;  ///< the artifactType filter was applied
};

/// One page of a sorted list of names or tags.
struct Listing {
  std::vector<std::string> items;
  bool more = false;  ///< items exist after the last one given
};

/// GET /api/v1/images/{name}:{tag}/pin: the image as a pinned reference.
struct Pin {
  std::string name;
  std::string tag;
  std::string source;
  std::string revision;
  std::string digest;  ///< of the OCI manifest
  std::string dockerDigest;
};

/// The pull side of the registry as a use case: a caller, a name and a
/// reference in, what to answer out. Every image name is parsed once here;
/// the access gate decides (grants, token scope, policies, audit) and the
/// build service resolves and builds. Throws strata::Error for every
/// refusal, which the transport maps to its own error form.
class PullService {
 public:
  struct Deps {
    const Config& config;
    BuildService& builds;
    ImageRepository& images;
    BlobStore& blobs;
    AccessGate& access;
    Metrics& metrics;
    /// The sources whose refs tags/list shows; null: only the tags pulled so far.
    SourceRegistry* sources = nullptr;
  };
  explicit PullService(Deps deps) : deps_(deps) {}

  /// By tag: resolves and, when new, builds the image (HEAD too), records
  /// the tag; by digest: an image served under the name before. The policies
  /// run before the build and again with the closure.
  ManifestAnswer manifest(const ManifestQuery& query);
  /// The manifests that name `digest` as their subject under the name (the
  /// image's SBOM artifacts); none for a digest nothing refers to.
  ReferrersAnswer referrers(const ReferrersQuery& query);
  /// A blob that an image served under the name references.
  BlobAnswer blob(const BlobQuery& query);
  /// What can be pulled under the name, sorted: the refs of the source the
  /// name routes to that are valid tags (a git source's branches and tags
  /// and `latest`; a folder's `latest` and revision), and for a git source
  /// the commits pulled under the name so far. Up to `n` after `last`.
  Listing tags(const Caller& caller, const std::string& name, const std::string& last,
               std::size_t n);
  /// Names served so far, up to `n` after `last`; with auth on, only those
  /// the caller may pull.
  Listing catalog(const Caller& caller, const std::string& last, std::size_t n);
  /// "name[:tag]" resolved (and built when needed) to its revision and digests.
  Pin pin(const Caller& caller, const std::string& reference);

 private:
  /// Authorizes a name for pulling (grants and token scope; the policies on
  /// the name alone when `namePolicies`). Returns the parsed image when
  /// `needImage` or when the gate needed it; nothing is parsed when neither.
  std::optional<ImageRequest> admitName(const Caller& caller, const std::string& name,
                                        bool namePolicies, bool needImage);
  ImageRecord byTag(const Caller& caller, const ImageRequest& image, const std::string& tag);
  ImageRecord byDigest(const Caller& caller, const std::string& name, const Digest& digest);
  void checkWithClosure(const Caller& caller, const std::string& name, const ImageRecord& image);

  Deps deps_;
};

}  // namespace strata
