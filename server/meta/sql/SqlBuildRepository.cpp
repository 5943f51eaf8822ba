#include "meta/sql/SqlBuildRepository.h"

#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Tuple.h>

#include <algorithm>

#include "meta/sql/SqlDatabase.h"
#include "meta/sql/SqlErrors.h"

namespace strata {

using namespace Poco::Data::Keywords;

namespace {

using BuildRow =
    Poco::Tuple<std::string, std::string, std::string, std::string, std::string, std::string,
                Poco::Int64, Poco::Int64, std::string, std::string, std::string, Poco::Int64>;
const char* kBuildColumns =
    "id, image, source, revision, state, owner, created_ms, finished_at, oci_digest, "
    "docker_digest, error, log_truncated";

BuildRecord fromRow(const BuildRow& r) {
  BuildRecord b;
  b.id = r.get<0>();
  b.image = r.get<1>();
  b.source = r.get<2>();
  b.revision = r.get<3>();
  b.state = r.get<4>();
  b.owner = r.get<5>();
  b.createdMs = r.get<6>();
  b.finishedAt = r.get<7>();
  b.ociDigest = r.get<8>();
  b.dockerDigest = r.get<9>();
  b.error = r.get<10>();
  b.logTruncated = r.get<11>() != 0;
  return b;
}

}  // namespace

bool SqlBuildRepository::claim(const std::string& cacheKey, const std::string& owner,
                               const std::string& buildId, std::int64_t now,
                               std::int64_t expiresAt) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    std::string k = cacheKey, o = owner, id = buildId;
    Poco::Int64 until = expiresAt, at = now;
    // Taken when there is no claim, the one there expired (its replica died)
    // or failed (its waiters have been told).
    Poco::Data::Statement st(s);
    st << db_.sql(
        "INSERT INTO build_claims (cache_key, owner, build_id, state, expires_at) VALUES "
        "(?, ?, ?, 'building', ?) ON CONFLICT (cache_key) DO UPDATE SET owner = "
        "excluded.owner, build_id = excluded.build_id, state = 'building', error_kind = "
        "'', error_message = '', error_detail = '', expires_at = excluded.expires_at "
        "WHERE build_claims.expires_at < ? OR build_claims.state = 'failed'"),
        use(k), use(o), use(id), use(until), use(at);
    return st.execute() == 1;
  });
}

std::optional<BuildClaim> SqlBuildRepository::findClaim(const std::string& cacheKey) {
  return guarded([&]() -> std::optional<BuildClaim> {
    auto s = db_.session();
    std::string k = cacheKey;
    std::vector<std::string> owner, id, state, kind, message, detail;
    std::vector<Poco::Int64> expires;
    s << db_.sql(
        "SELECT owner, build_id, state, error_kind, error_message, error_detail, "
        "expires_at FROM build_claims WHERE cache_key = ?"),
        use(k), into(owner), into(id), into(state), into(kind), into(message), into(detail),
        into(expires), now;
    if (owner.empty()) return std::nullopt;
    return BuildClaim{owner[0], id[0], state[0], kind[0], message[0], detail[0], expires[0]};
  });
}

void SqlBuildRepository::dropClaims() {
  guarded([&] {
    auto s = db_.session();
    s << "DELETE FROM build_claims", now;
  });
}

void SqlBuildRepository::renewClaim(const std::string& cacheKey, const std::string& owner,
                                    std::int64_t expiresAt) {
  guarded([&] {
    auto s = db_.session();
    std::string k = cacheKey, o = owner;
    Poco::Int64 until = expiresAt;
    s << db_.sql(
        "UPDATE build_claims SET expires_at = ? WHERE cache_key = ? AND owner = ? AND "
        "state = 'building'"),
        use(until), use(k), use(o), now;
  });
}

void SqlBuildRepository::releaseClaim(const std::string& cacheKey, const std::string& owner) {
  guarded([&] {
    auto s = db_.session();
    std::string k = cacheKey, o = owner;
    s << db_.sql("DELETE FROM build_claims WHERE cache_key = ? AND owner = ?"), use(k), use(o), now;
  });
}

void SqlBuildRepository::failClaim(const std::string& cacheKey, const std::string& owner,
                                   const std::string& errorKind, const std::string& message,
                                   const std::string& detail, std::int64_t expiresAt) {
  guarded([&] {
    auto s = db_.session();
    std::string k = cacheKey, o = owner, kind = errorKind, m = message, d = detail;
    Poco::Int64 until = expiresAt;
    s << db_.sql(
        "UPDATE build_claims SET state = 'failed', error_kind = ?, error_message = ?, "
        "error_detail = ?, expires_at = ? WHERE cache_key = ? AND owner = ?"),
        use(kind), use(m), use(d), use(until), use(k), use(o), now;
  });
}

void SqlBuildRepository::saveBuild(const BuildRecord& b, std::size_t keep) {
  guarded([&] {
    auto s = db_.session();
    BuildRecord r = b;
    Poco::Int64 created = r.createdMs, finished = r.finishedAt, truncated = r.logTruncated ? 1 : 0;
    s << db_.sql(
        "INSERT INTO builds (id, image, source, revision, state, owner, created_ms, "
        "finished_at, oci_digest, docker_digest, error, log_truncated) VALUES (?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
        "finished_at = excluded.finished_at, oci_digest = excluded.oci_digest, "
        "docker_digest = excluded.docker_digest, error = excluded.error, log_truncated = "
        "excluded.log_truncated"),
        use(r.id), use(r.image), use(r.source), use(r.revision), use(r.state), use(r.owner),
        use(created), use(finished), use(r.ociDigest), use(r.dockerDigest), use(r.error),
        use(truncated), now;
    // Now and then, forget all but the newest builds.
    if (++saves_ % 64 == 0) {
      Poco::Int64 offset = static_cast<Poco::Int64>(keep);
      std::vector<Poco::Int64> cutoff;
      s << db_.sql("SELECT created_ms FROM builds ORDER BY created_ms DESC LIMIT 1 OFFSET ?"),
          use(offset), into(cutoff), now;
      if (!cutoff.empty()) {
        s << db_.sql("DELETE FROM builds WHERE created_ms <= ?"), use(cutoff[0]), now;
        // SQLite enforces no foreign keys unless asked: no cascade to rely on.
        s << db_.sql("DELETE FROM build_log_lines WHERE build_id NOT IN (SELECT id FROM builds)"),
            now;
      }
    }
  });
}

void SqlBuildRepository::appendLog(const std::string& buildId, std::int64_t firstSeq,
                                   const std::vector<std::string>& lines, std::size_t keepLines) {
  if (lines.empty()) return;
  guarded([&] {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    std::string id = buildId;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      Poco::Int64 seq = firstSeq + static_cast<Poco::Int64>(i);
      std::string line = lines[i];
      s << db_.sql(
          "INSERT INTO build_log_lines (build_id, seq, line) VALUES (?, ?, ?) ON "
          "CONFLICT DO NOTHING"),
          use(id), use(seq), use(line), now;
    }
    Poco::Int64 last = firstSeq + static_cast<Poco::Int64>(lines.size()) - 1;
    Poco::Int64 oldest = last - static_cast<Poco::Int64>(keepLines);
    if (oldest >= 0) {
      s << db_.sql("DELETE FROM build_log_lines WHERE build_id = ? AND seq <= ?"), use(id),
          use(oldest), now;
      s << db_.sql("UPDATE builds SET log_truncated = 1 WHERE id = ?"), use(id), now;
    }
    tx.commit();
  });
}

std::optional<BuildRecord> SqlBuildRepository::findBuild(const std::string& id,
                                                         std::size_t maxLines) {
  return guarded([&]() -> std::optional<BuildRecord> {
    auto s = db_.session();
    std::string i = id;
    std::vector<BuildRow> rows;
    s << db_.sql(std::string("SELECT ") + kBuildColumns + " FROM builds WHERE id = ?"), use(i),
        into(rows), now;
    if (rows.empty()) return std::nullopt;
    BuildRecord b = fromRow(rows[0]);
    Poco::Int64 limit = static_cast<Poco::Int64>(maxLines);
    std::vector<Poco::Int64> seqs;
    s << db_.sql(
        "SELECT line, seq FROM build_log_lines WHERE build_id = ? ORDER BY seq DESC "
        "LIMIT ?"),
        use(i), use(limit), into(b.log), into(seqs), now;
    std::reverse(b.log.begin(), b.log.end());
    if (!seqs.empty() && seqs.back() > 0) b.logTruncated = true;
    return b;
  });
}

std::vector<BuildRecord> SqlBuildRepository::recentBuilds(std::size_t limit) {
  return guarded([&]() -> std::vector<BuildRecord> {
    auto s = db_.session();
    Poco::Int64 n = static_cast<Poco::Int64>(limit);
    std::vector<BuildRow> rows;
    s << db_.sql(std::string("SELECT ") + kBuildColumns +
                 " FROM builds ORDER BY created_ms DESC, id DESC LIMIT ?"),
        use(n), into(rows), now;
    std::vector<BuildRecord> out;
    for (const auto& r : rows) out.push_back(fromRow(r));
    return out;
  });
}

bool SqlBuildRepository::takeLease(const std::string& name, const std::string& owner,
                                   std::int64_t now, std::int64_t expiresAt) {
  return guarded([&]() -> bool {
    auto s = db_.session();
    std::string n = name, o = owner;
    Poco::Int64 until = expiresAt, at = now;
    Poco::Data::Statement st(s);
    st << db_.sql(
        "INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT "
        "(name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
        "WHERE leases.expires_at < ? OR leases.owner = excluded.owner"),
        use(n), use(o), use(until), use(at);
    return st.execute() == 1;
  });
}

void SqlBuildRepository::releaseLease(const std::string& name, const std::string& owner) {
  guarded([&] {
    auto s = db_.session();
    std::string n = name, o = owner;
    s << db_.sql("DELETE FROM leases WHERE name = ? AND owner = ?"), use(n), use(o), now;
  });
}

}  // namespace strata
