#include "meta/sql/SqlImageRepository.h"

#include <Poco/Data/Session.h>
#include <Poco/Data/Transaction.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Tuple.h>

#include <ctime>
#include <sstream>

#include "meta/ClosureJson.h"
#include "meta/sql/SqlDatabase.h"
#include "meta/sql/SqlErrors.h"

namespace strata {

using namespace Poco::Data::Keywords;

namespace {

std::int64_t nowSeconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

std::string toJson(const std::vector<std::string>& list) {
  Poco::JSON::Array arr;
  for (const auto& s : list) arr.add(s);
  std::ostringstream out;
  arr.stringify(out);
  return out.str();
}

std::vector<std::string> fromJson(const std::string& json) {
  std::vector<std::string> out;
  Poco::JSON::Parser parser;
  auto arr = parser.parse(json).extract<Poco::JSON::Array::Ptr>();
  for (std::size_t i = 0; i < arr->size(); ++i)
    out.push_back(arr->getElement<std::string>(static_cast<unsigned>(i)));
  return out;
}

using ImageRow = Poco::Tuple<std::string, std::string, std::string, std::string, std::string,
                             std::string, std::string, std::string, Poco::Int64, std::string,
                             Poco::Int64, Poco::Int64, std::string, std::string>;

const char* kImageColumns =
    "i.cache_key, i.source, i.revision, i.packages, i.arch, i.strategy, i.config_digest, "
    "i.oci_digest, i.oci_size, i.docker_digest, i.docker_size, i.created_at, i.sbom_digest, "
    "i.contents";

ImageRecord fromRow(const ImageRow& r) {
  ImageRecord rec;
  rec.cacheKey = r.get<0>();
  rec.source = r.get<1>();
  rec.revision = r.get<2>();
  rec.packages = fromJson(r.get<3>());
  rec.arch = r.get<4>();
  rec.strategy = r.get<5>();
  rec.configDigest = r.get<6>();
  rec.ociDigest = r.get<7>();
  rec.ociSize = static_cast<std::uint64_t>(r.get<8>());
  rec.dockerDigest = r.get<9>();
  rec.dockerSize = static_cast<std::uint64_t>(r.get<10>());
  rec.createdAt = r.get<11>();
  rec.sbomDigest = r.get<12>();
  rec.contents = fromJson(r.get<13>());
  return rec;
}

using ReferrerRow = Poco::Tuple<std::string, std::string, std::string, std::string, Poco::Int64>;

/// The image of the row with its referrers, and an index's images.
ImageRecord withReferrers(Poco::Data::Session& s, SqlDatabase& db, const ImageRow& row) {
  ImageRecord rec = fromRow(row);
  std::vector<ReferrerRow> rows;
  s << db.sql(
      "SELECT subject, digest, media_type, artifact_type, size FROM image_referrers WHERE "
      "cache_key = ? ORDER BY digest"),
      use(rec.cacheKey), into(rows), now;
  for (const auto& r : rows)
    rec.referrers.push_back(Referrer{r.get<0>(), r.get<1>(), r.get<2>(), r.get<3>(),
                                     static_cast<std::uint64_t>(r.get<4>())});
  if (rec.configDigest.empty()) {  // an index
    s << db.sql("SELECT member_key FROM image_members WHERE cache_key = ? ORDER BY position"),
        use(rec.cacheKey), into(rec.platformImages), now;
  }
  return rec;
}

}  // namespace

std::optional<ImageRecord> SqlImageRepository::findByKey(const std::string& cacheKey) {
  return guarded([&]() -> std::optional<ImageRecord> {
    auto s = db_.session();
    std::vector<ImageRow> rows;
    std::string key = cacheKey;
    s << db_.sql(std::string("SELECT ") + kImageColumns + " FROM images i WHERE i.cache_key = ?"),
        use(key), into(rows), now;
    if (rows.empty()) return std::nullopt;
    return withReferrers(s, db_, rows.front());
  });
}

std::optional<ImageRecord> SqlImageRepository::findByManifestDigest(const std::string& name,
                                                                    const std::string& digest) {
  return guarded([&]() -> std::optional<ImageRecord> {
    auto s = db_.session();
    std::vector<ImageRow> rows;
    std::string n = name, d1 = digest, d2 = digest, d3 = digest;
    s << db_.sql(
        std::string("SELECT ") + kImageColumns +
        " FROM images i JOIN image_names n ON n.cache_key = i.cache_key WHERE n.name = ? AND "
        "(i.oci_digest = ? OR i.docker_digest = ? OR i.cache_key IN (SELECT cache_key FROM "
        "image_referrers WHERE digest = ?)) LIMIT 1"),
        use(n), use(d1), use(d2), use(d3), into(rows), now;
    if (rows.empty()) return std::nullopt;
    return withReferrers(s, db_, rows.front());
  });
}

void SqlImageRepository::save(const ImageRecord& image, const std::vector<std::string>& blobDigests,
                              const sdk::ClosureGraph* closure) {
  return guarded([&]() -> void {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    ImageRecord r = image;
    std::string packages = toJson(r.packages);
    Poco::Int64 ociSize = static_cast<Poco::Int64>(r.ociSize);
    Poco::Int64 dockerSize = static_cast<Poco::Int64>(r.dockerSize);
    Poco::Int64 created = r.createdAt ? r.createdAt : nowSeconds();
    std::string contents = toJson(r.contents);
    s << db_.sql(
        "INSERT INTO images (cache_key, source, revision, packages, arch, strategy, config_digest, "
        "oci_digest, oci_size, docker_digest, docker_size, created_at, sbom_digest, contents) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cache_key) DO UPDATE SET "
        "config_digest = excluded.config_digest, oci_digest = excluded.oci_digest, oci_size = "
        "excluded.oci_size, docker_digest = excluded.docker_digest, docker_size = "
        "excluded.docker_size, sbom_digest = excluded.sbom_digest, contents = excluded.contents"),
        use(r.cacheKey), use(r.source), use(r.revision), use(packages), use(r.arch),
        use(r.strategy), use(r.configDigest), use(r.ociDigest), use(ociSize), use(r.dockerDigest),
        use(dockerSize), use(created), use(r.sbomDigest), use(contents), now;
    for (std::size_t i = 0; i < r.platformImages.size(); ++i) {
      Poco::Int32 position = static_cast<Poco::Int32>(i);
      std::string member = r.platformImages[i];
      s << db_.sql(
          "INSERT INTO image_members (cache_key, position, member_key) VALUES (?, ?, ?) ON "
          "CONFLICT DO NOTHING"),
          use(r.cacheKey), use(position), use(member), now;
    }
    for (auto ref : r.referrers) {
      Poco::Int64 size = static_cast<Poco::Int64>(ref.size);
      s << db_.sql(
          "INSERT INTO image_referrers (cache_key, digest, subject, media_type, artifact_type, "
          "size) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
          use(r.cacheKey), use(ref.digest), use(ref.subject), use(ref.mediaType),
          use(ref.artifactType), use(size), now;
    }
    for (const auto& d : blobDigests) {
      std::string digest = d;
      s << db_.sql(
          "INSERT INTO image_blobs (cache_key, digest) VALUES (?, ?) ON CONFLICT DO NOTHING"),
          use(r.cacheKey), use(digest), now;
    }
    if (closure != nullptr) {
      std::string json = closureToJson(*closure);
      s << db_.sql(
          "INSERT INTO image_closures (cache_key, closure) VALUES (?, ?) ON CONFLICT (cache_key) "
          "DO "
          "UPDATE SET closure = excluded.closure"),
          use(r.cacheKey), use(json), now;
    }
    tx.commit();
  });
}

void SqlImageRepository::saveClosure(const std::string& cacheKey,
                                     const sdk::ClosureGraph& closure) {
  return guarded([&]() -> void {
    auto s = db_.session();
    std::string key = cacheKey, json = closureToJson(closure);
    s << db_.sql(
        "INSERT INTO image_closures (cache_key, closure) VALUES (?, ?) ON CONFLICT (cache_key) DO "
        "UPDATE SET closure = excluded.closure"),
        use(key), use(json), now;
  });
}

std::optional<sdk::ClosureGraph> SqlImageRepository::findClosure(const std::string& cacheKey) {
  return guarded([&]() -> std::optional<sdk::ClosureGraph> {
    auto s = db_.session();
    std::vector<std::string> rows;
    std::string key = cacheKey;
    s << db_.sql("SELECT closure FROM image_closures WHERE cache_key = ?"), use(key), into(rows),
        now;
    if (rows.empty()) return std::nullopt;
    return closureFromJson(rows.front());
  });
}

void SqlImageRepository::recordResolution(const std::string& name, const std::string& tag,
                                          const std::string& revision,
                                          const std::string& cacheKey) {
  return guarded([&]() -> void {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    std::string n = name, t = tag, rev = revision, key = cacheKey;
    Poco::Int64 at = nowSeconds();
    s << db_.sql("INSERT INTO image_names (name, cache_key) VALUES (?, ?) ON CONFLICT DO NOTHING"),
        use(n), use(key), now;
    // An index's images are served under its name too (by digest, blobs).
    s << db_.sql(
        "INSERT INTO image_names (name, cache_key) SELECT ?, member_key FROM image_members "
        "WHERE cache_key = ? ON CONFLICT DO NOTHING"),
        use(n), use(key), now;
    s << db_.sql(
        "INSERT INTO resolutions (name, tag, revision, cache_key, resolved_at) VALUES (?, ?, ?, ?, "
        "?) "
        "ON CONFLICT (name, tag) DO UPDATE SET revision = excluded.revision, cache_key = "
        "excluded.cache_key, resolved_at = excluded.resolved_at"),
        use(n), use(t), use(rev), use(key), use(at), now;
    tx.commit();
  });
}

std::optional<ImageRepository::TagResolution> SqlImageRepository::findResolution(
    const std::string& name, const std::string& tag) {
  return guarded([&]() -> std::optional<ImageRepository::TagResolution> {
    auto s = db_.session();
    std::vector<std::string> revs, keys;
    std::string n = name, t = tag;
    s << db_.sql("SELECT revision, cache_key FROM resolutions WHERE name = ? AND tag = ?"), use(n),
        use(t), into(revs), into(keys), now;
    if (revs.empty()) return std::nullopt;
    return TagResolution{revs.front(), keys.front()};
  });
}

bool SqlImageRepository::blobVisible(const std::string& name, const std::string& digest) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    int count = 0;
    std::string n = name, d = digest;
    s << db_.sql(
        "SELECT COUNT(*) FROM image_blobs b JOIN image_names n ON n.cache_key = b.cache_key WHERE "
        "n.name = ? AND b.digest = ?"),
        use(n), use(d), into(count), now;
    return count > 0;
  });
}

std::vector<std::string> SqlImageRepository::tags(const std::string& name, const std::string& last,
                                                  std::size_t limit) {
  return guarded([&]() -> std::vector<std::string> {
    auto s = db_.session();
    std::vector<std::string> out;
    std::string n = name, l = last;
    Poco::Int64 lim = static_cast<Poco::Int64>(limit);
    s << db_.sql("SELECT tag FROM resolutions WHERE name = ? AND tag > ? ORDER BY tag LIMIT ?"),
        use(n), use(l), use(lim), into(out), now;
    return out;
  });
}

std::vector<std::string> SqlImageRepository::names(const std::string& last, std::size_t limit) {
  return guarded([&]() -> std::vector<std::string> {
    auto s = db_.session();
    std::vector<std::string> out;
    std::string l = last;
    Poco::Int64 lim = static_cast<Poco::Int64>(limit);
    s << db_.sql("SELECT DISTINCT name FROM resolutions WHERE name > ? ORDER BY name LIMIT ?"),
        use(l), use(lim), into(out), now;
    return out;
  });
}

std::vector<std::string> SqlImageRepository::referencedBlobs() {
  return guarded([&]() -> std::vector<std::string> {
    auto s = db_.session();
    std::vector<std::string> out;
    s << db_.sql("SELECT digest FROM image_blobs UNION SELECT digest FROM layers"), into(out), now;
    return out;
  });
}

std::optional<LayerBlob> SqlImageRepository::findLayer(const std::string& layerKey) {
  return guarded([&]() -> std::optional<LayerBlob> {
    auto s = db_.session();
    std::vector<std::string> digests, diffIds;
    std::vector<Poco::Int64> sizes;
    std::string k = layerKey;
    s << db_.sql("SELECT digest, diff_id, size FROM layers WHERE layer_key = ?"), use(k),
        into(digests), into(diffIds), into(sizes), now;
    if (digests.empty()) return std::nullopt;
    auto d = Digest::parse(digests.front());
    auto id = Digest::parse(diffIds.front());
    if (!d || !id) return std::nullopt;
    return LayerBlob{*d, *id, static_cast<std::uint64_t>(sizes.front())};
  });
}

void SqlImageRepository::saveLayer(const std::string& layerKey, const LayerBlob& blob) {
  return guarded([&]() -> void {
    auto s = db_.session();
    std::string k = layerKey, d = blob.digest.str(), id = blob.diffId.str();
    Poco::Int64 size = static_cast<Poco::Int64>(blob.size), at = nowSeconds();
    s << db_.sql(
        "INSERT INTO layers (layer_key, digest, diff_id, size, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (layer_key) DO UPDATE SET digest = excluded.digest, diff_id = "
        "excluded.diff_id, size = excluded.size, created_at = excluded.created_at"),
        use(k), use(d), use(id), use(size), use(at), now;
  });
}

}  // namespace strata
