-- PostgreSQL form of ../0004_replicas.sql. What several replicas on one database share besides images (docs/deployment.md).

-- A build in progress, claimed by one replica (owner) until expires_at: the
-- others wait for its image instead of building it too, and take the claim
-- over when it expires (the owner died). A failed build stays a short while
-- (state 'failed') so that the replicas that waited get its error.
CREATE TABLE build_claims (
  cache_key      TEXT COLLATE "C" PRIMARY KEY,
  owner          TEXT NOT NULL,
  build_id       TEXT NOT NULL,
  state          TEXT NOT NULL,  -- building | failed
  error_kind     TEXT NOT NULL DEFAULT '',
  error_message  TEXT NOT NULL DEFAULT '',
  error_detail   TEXT NOT NULL DEFAULT '',
  expires_at     BIGINT NOT NULL
);

-- Builds and their Nix logs, readable from every replica.
CREATE TABLE builds (
  id             TEXT COLLATE "C" PRIMARY KEY,
  image          TEXT NOT NULL,
  source         TEXT NOT NULL,
  revision       TEXT NOT NULL,
  state          TEXT NOT NULL,  -- queued | running | succeeded | failed | cached
  owner          TEXT NOT NULL,
  created_ms     BIGINT NOT NULL,
  finished_at    BIGINT NOT NULL DEFAULT 0,
  oci_digest     TEXT NOT NULL DEFAULT '',
  docker_digest  TEXT NOT NULL DEFAULT '',
  error          TEXT NOT NULL DEFAULT '',
  log_truncated  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX builds_created ON builds (created_ms);

CREATE TABLE build_log_lines (
  build_id  TEXT COLLATE "C" NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  seq       BIGINT NOT NULL,
  line      TEXT NOT NULL,
  PRIMARY KEY (build_id, seq)
);

-- Work one replica at a time does (the online garbage collector).
CREATE TABLE leases (
  name        TEXT COLLATE "C" PRIMARY KEY,
  owner       TEXT NOT NULL,
  expires_at  BIGINT NOT NULL
);
