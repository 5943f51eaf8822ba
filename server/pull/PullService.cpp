#include "pull/PullService.h"

#include <algorithm>
#include <set>

#include "auth/AccessGate.h"
#include "builder/BuildService.h"
#include "config/Config.h"
#include "image/ImageName.h"
#include "image/ImageRecord.h"
#include "image/Manifest.h"
#include "meta/ImageRepository.h"
#include "sources/PackageSource.h"
#include "storage/BlobStore.h"
#include "util/Error.h"
#include "util/Metrics.h"

namespace strata {
namespace {

void requireValidName(const std::string& name) {
  if (!isValidRepositoryName(name))
    throw Error(ErrorKind::InvalidName,
                "invalid repository name: components must be lowercase letters and digits "
                "separated by '.', '_', '__' or '-'");
}

void requireValidTag(const std::string& tag) {
  if (!isValidTag(tag))
    throw Error(ErrorKind::InvalidTag,
                "invalid tag: up to 128 letters, digits, '_', '.' and '-', not starting with '.' "
                "or '-'");
}

bool isCommitId(const std::string& tag) {
  return tag.size() == 40 && tag.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Digest requireDigest(const std::string& reference) {
  auto digest = Digest::parse(reference);
  if (!digest) throw Error(ErrorKind::InvalidDigest, "invalid digest '" + reference + "'");
  return *digest;
}

/// The packages access is judged on: the name's, and a declared image's contents.
std::vector<std::string> judgedPackages(std::vector<std::string> packages,
                                        const std::vector<std::string>& contents) {
  packages.insert(packages.end(), contents.begin(), contents.end());
  std::sort(packages.begin(), packages.end());
  packages.erase(std::unique(packages.begin(), packages.end()), packages.end());
  return packages;
}

sdk::ImageInfo infoOf(const ImageRecord& image, const sdk::ClosureGraph* closure) {
  return sdk::ImageInfo{image.source, judgedPackages(image.packages, image.contents),
                        image.revision, image.arch, closure};
}

}  // namespace

BlobAnswer::BlobAnswer() = default;
BlobAnswer::BlobAnswer(BlobAnswer&&) noexcept = default;
BlobAnswer& BlobAnswer::operator=(BlobAnswer&&) noexcept = default;
BlobAnswer::~BlobAnswer() = default;

std::optional<ImageRequest> PullService::admitName(const Caller& caller, const std::string& name,
                                                   bool namePolicies, bool needImage) {
  // Parsed once, and only when someone needs it: with nothing to check, a
  // pull by digest needs the name alone.
  if (!needImage && !deps_.access.judgesPulls()) return std::nullopt;
  ImageRequest image = parseImageName(name, deps_.config.sources);
  deps_.access.authorizePull(caller, image);
  // Routes that never resolve the image: the policies judge what the name says.
  if (namePolicies && deps_.access.hasPolicies())
    deps_.access.checkPolicies(
        caller, name, sdk::ImageInfo{image.source, image.packages, "", image.arch, nullptr});
  return image;
}

void PullService::checkWithClosure(const Caller& caller, const std::string& name,
                                   const ImageRecord& image) {
  if (!deps_.access.judgesPulls()) return;
  // A declared image's contents need grants too, known once it is built.
  for (const auto& one : deps_.builds.platformImagesOf(image)) {
    if (one.contents.empty()) continue;
    ImageRequest request = parseImageName(name, deps_.config.sources);
    request.packages = judgedPackages(request.packages, one.contents);
    deps_.access.authorizePull(caller, request);
  }
  if (!deps_.access.hasPolicies()) return;
  // An index is judged by each of its images.
  for (const auto& one : deps_.builds.platformImagesOf(image)) {
    auto closure = deps_.builds.closureOf(one);
    deps_.access.checkPolicies(caller, name, infoOf(one, closure.get()), closure);
  }
}

ImageRecord PullService::byTag(const Caller& caller, const ImageRequest& image,
                               const std::string& tag) {
  ResolvedImage resolved = deps_.builds.resolve(image, tag);
  // Before the build: a policy that can decide from the request alone saves it.
  if (deps_.access.hasPolicies())
    deps_.access.checkPolicies(
        caller, image.name,
        sdk::ImageInfo{image.source, image.packages, resolved.revision, image.arch, nullptr});
  ImageRecord record = deps_.builds.obtain(resolved);
  // After it, with the closure: also for cached images, which never build.
  checkWithClosure(caller, image.name, record);
  // Only an allowed image gets its tag (and so its blobs) under the name.
  deps_.builds.recordTag(resolved);
  return record;
}

ImageRecord PullService::byDigest(const Caller& caller, const std::string& name,
                                  const Digest& digest) {
  auto found = deps_.images.findByManifestDigest(name, digest.str());
  if (!found)
    throw Error(ErrorKind::UnknownManifest,
                "manifest " + digest.str() + " is unknown under '" + name + "'");
  // A pull by digest meets the same policies as one by tag.
  if (deps_.access.hasPolicies())
    for (const auto& one : deps_.builds.platformImagesOf(*found))
      deps_.access.checkPolicies(caller, name, infoOf(one, nullptr));
  ImageRecord record = deps_.builds.rebuildIfIncomplete(*found);
  checkWithClosure(caller, name, record);
  return record;
}

ManifestAnswer PullService::manifest(const ManifestQuery& query) {
  requireValidName(query.name);
  // Who may pull comes first (401 and 403 before 400 for the reference).
  const std::string& ref = query.reference;
  const bool byDigestRef = ref.rfind("sha256:", 0) == 0 || ref.find(':') != std::string::npos;
  auto image = admitName(query.caller, query.name, false, /*needImage=*/!byDigestRef);
  std::optional<Digest> digest;
  if (byDigestRef)
    digest = requireDigest(ref);
  else
    requireValidTag(ref);

  ImageRecord record;
  ManifestAnswer answer;
  if (digest) {
    record = byDigest(query.caller, query.name, *digest);
    if (const Referrer* artifact = record.referrer(digest->str())) {
      answer.digest = artifact->digest;
      answer.mediaType = artifact->mediaType;
    } else {
      bool oci = record.ociDigest == digest->str() || record.dockerDigest == record.ociDigest;
      auto format = oci ? ManifestFormat::Oci : ManifestFormat::Docker;
      answer.digest = digest->str();
      answer.mediaType = record.isIndex() ? indexMediaType(format) : manifestMediaType(format);
    }
  } else {
    record = byTag(query.caller, *image, ref);
    if (record.isIndex()) {
      if (auto format = negotiateIndex(query.accept)) {
        if (record.dockerDigest == record.ociDigest) format = ManifestFormat::Oci;
        answer.digest = *format == ManifestFormat::Oci ? record.ociDigest : record.dockerDigest;
        answer.mediaType = indexMediaType(*format);
      } else {
        // A client that takes no index gets the first platform's image, as
        // distribution answers such clients.
        record = deps_.builds.platformImagesOf(record).front();
      }
    }
  }
  if (answer.digest.empty()) {
    ManifestFormat format = negotiateManifest(query.accept);
    // An image with zstd layers has an OCI manifest only (its Docker digest
    // names the same manifest): every client gets that.
    if (record.dockerDigest == record.ociDigest) format = ManifestFormat::Oci;
    answer.digest = format == ManifestFormat::Oci ? record.ociDigest : record.dockerDigest;
    answer.mediaType = manifestMediaType(format);
  }
  answer.body = deps_.blobs.read(*Digest::parse(answer.digest));
  if (!query.head) {
    deps_.metrics.add("strata_bytes_served_total{kind=\"manifest\"}", answer.body.size());
    deps_.access.recordPull(query.caller, query.name, ref, record.revision, answer.digest);
  }
  return answer;
}

ReferrersAnswer PullService::referrers(const ReferrersQuery& query) {
  requireValidName(query.name);
  admitName(query.caller, query.name, true, false);
  Digest subject = requireDigest(query.digest);
  ReferrersAnswer answer;
  // The spec's rule: an unknown subject has no referrers yet (200, empty),
  // never 404, since a client may push the subject later elsewhere.
  if (!deps_.images.findByManifestDigest(query.name, subject.str())) return answer;
  ImageRecord record = byDigest(query.caller, query.name, subject);
  for (const auto& r : record.referrers) {
    if (r.subject != subject.str()) continue;
    if (!query.artifactType.empty() && r.artifactType != query.artifactType) continue;
    answer.referrers.push_back(r);
  }
  answer.filtered = !query.artifactType.empty();
  return answer;
}

BlobAnswer PullService::blob(const BlobQuery& query) {
  requireValidName(query.name);
  admitName(query.caller, query.name, true, false);
  Digest digest = requireDigest(query.digest);
  auto info = deps_.blobs.stat(digest);
  if (!info || !deps_.images.blobVisible(query.name, digest.str()))
    throw Error(ErrorKind::UnknownBlob,
                "blob " + digest.str() + " is unknown under '" + query.name + "'");
  BlobAnswer answer;
  answer.digest = digest.str();
  answer.size = info->size;
  if (!query.open) return answer;  // HEAD: the size is all
  // A presigned URL is for GET only: HEAD is answered here.
  answer.redirect = deps_.blobs.redirectUrl(digest);
  if (!answer.redirect) {
    answer.reader = deps_.blobs.open(digest);
    if (!answer.reader) throw Error(ErrorKind::UnknownBlob, "blob " + digest.str() + " vanished");
    answer.size = answer.reader->size();
  }
  return answer;
}

Listing PullService::tags(const Caller& caller, const std::string& name, const std::string& last,
                          std::size_t n) {
  requireValidName(name);
  auto image = admitName(caller, name, true, deps_.sources != nullptr);
  Listing page;
  if (!deps_.sources) {
    page.items = deps_.images.tags(name, last, n + 1);
    page.more = page.items.size() > n;
    if (page.more) page.items.resize(n);
    if (page.items.empty() && last.empty() && deps_.images.tags(name, "", 1).empty())
      throw Error(ErrorKind::UnknownName, "no tag of '" + name + "' was pulled yet");
    return page;
  }
  // A name routes to a source: its tags are the source's.
  PackageSource& source = deps_.sources->get(image->source);
  std::set<std::string> tags;
  for (const auto& ref : source.refs())
    if (isValidTag(ref.name)) tags.insert(ref.name);
  // Commits pulled by name stay pullable; a folder has no other revision.
  if (source.config().type != "path") {
    constexpr std::size_t kMaxPulledTags = 10000;
    for (const auto& tag : deps_.images.tags(name, "", kMaxPulledTags))
      if (isCommitId(tag)) tags.insert(tag);
  }
  for (auto it = tags.upper_bound(last); it != tags.end(); ++it) {
    if (page.items.size() == n) {
      page.more = true;
      break;
    }
    page.items.push_back(*it);
  }
  return page;
}

Listing PullService::catalog(const Caller& caller, const std::string& last, std::size_t n) {
  Listing page;
  const std::size_t wanted = n + 1;
  // With auth on, only the names the caller may pull (docs/auth.md).
  auto mayPull = deps_.access.pullFilter(caller);
  if (!mayPull) {
    page.items = deps_.images.names(last, wanted);
  } else {
    constexpr std::size_t kBatch = 500;
    std::string after = last;
    while (page.items.size() < wanted) {
      auto batch = deps_.images.names(after, kBatch);
      for (const auto& name : batch) {
        try {
          if (mayPull(parseImageName(name, deps_.config.sources))) page.items.push_back(name);
        } catch (const Error&) {
          // A name no configured source serves any more: nobody may pull it.
        }
        if (page.items.size() == wanted) break;
      }
      if (batch.size() < kBatch) break;
      after = batch.back();
    }
  }
  page.more = page.items.size() > n;
  if (page.more) page.items.resize(n);
  return page;
}

Pin PullService::pin(const Caller& caller, const std::string& reference) {
  NameAndTag ref = splitNameAndTag(reference);
  auto image = admitName(caller, ref.name, false, true);
  requireValidTag(ref.tag);
  ImageRecord record = byTag(caller, *image, ref.tag);
  return Pin{ref.name,        ref.tag,          record.source,
             record.revision, record.ociDigest, record.dockerDigest};
}

}  // namespace strata
