-- table api_tokens
CREATE TABLE api_tokens (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  secret_hash   TEXT NOT NULL UNIQUE,  -- sha256 hex of the secret
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,               -- NULL: never
  revoked_at    INTEGER,               -- NULL: active
  last_used_at  INTEGER
);

-- index api_tokens_active_name
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (user_id, name) WHERE revoked_at IS NULL;

-- table audit_log
CREATE TABLE audit_log (
  id              INTEGER PRIMARY KEY,
  at              INTEGER NOT NULL,
  kind            TEXT NOT NULL,  -- pull | denied | login_failed | admin
  actor           TEXT NOT NULL,  -- user name; '' for anonymous; 'cli:<os user>' for strata admin
  client_address  TEXT NOT NULL,
  target          TEXT NOT NULL,  -- image name, or what an admin change touched
  detail          TEXT NOT NULL
);

-- index audit_log_at
CREATE INDEX audit_log_at ON audit_log (at);

-- table build_claims
CREATE TABLE build_claims (
  cache_key      TEXT PRIMARY KEY,
  owner          TEXT NOT NULL,
  build_id       TEXT NOT NULL,
  state          TEXT NOT NULL,  -- building | failed
  error_kind     TEXT NOT NULL DEFAULT '',
  error_message  TEXT NOT NULL DEFAULT '',
  error_detail   TEXT NOT NULL DEFAULT '',
  expires_at     INTEGER NOT NULL
);

-- table build_log_lines
CREATE TABLE build_log_lines (
  build_id  TEXT NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  seq       INTEGER NOT NULL,
  line      TEXT NOT NULL,
  PRIMARY KEY (build_id, seq)
);

-- table builds
CREATE TABLE builds (
  id             TEXT PRIMARY KEY,
  image          TEXT NOT NULL,
  source         TEXT NOT NULL,
  revision       TEXT NOT NULL,
  state          TEXT NOT NULL,  -- queued | running | succeeded | failed | cached
  owner          TEXT NOT NULL,
  created_ms     INTEGER NOT NULL,
  finished_at    INTEGER NOT NULL DEFAULT 0,
  oci_digest     TEXT NOT NULL DEFAULT '',
  docker_digest  TEXT NOT NULL DEFAULT '',
  error          TEXT NOT NULL DEFAULT '',
  log_truncated  INTEGER NOT NULL DEFAULT 0
);

-- index builds_created
CREATE INDEX builds_created ON builds (created_ms);

-- table grants
CREATE TABLE grants (
  id            INTEGER PRIMARY KEY,
  team_id       INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  source        TEXT NOT NULL,
  package_glob  TEXT NOT NULL,
  action        TEXT NOT NULL CHECK (action IN ('pull', 'admin')),
  created_at    INTEGER NOT NULL,
  UNIQUE (team_id, source, package_glob, action)
);

-- table image_blobs
CREATE TABLE image_blobs (
  cache_key  TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  digest     TEXT NOT NULL,
  PRIMARY KEY (cache_key, digest)
);

-- index image_blobs_digest
CREATE INDEX image_blobs_digest ON image_blobs (digest);

-- table image_closures
CREATE TABLE image_closures (
  cache_key  TEXT PRIMARY KEY REFERENCES images (cache_key) ON DELETE CASCADE,
  -- JSON: {"roots": [store path…], "paths": [{"path", "narSize", "popularity",
  -- "references": [store path…]}…]}, as the layering strategy saw it
  closure    TEXT NOT NULL
);

-- table image_members
CREATE TABLE image_members (
  cache_key   TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  member_key  TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  PRIMARY KEY (cache_key, position)
);

-- table image_names
CREATE TABLE image_names (
  name       TEXT NOT NULL,
  cache_key  TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  PRIMARY KEY (name, cache_key)
);

-- table image_referrers
CREATE TABLE image_referrers (
  cache_key      TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  digest         TEXT NOT NULL,
  subject        TEXT NOT NULL,
  media_type     TEXT NOT NULL,
  artifact_type  TEXT NOT NULL,
  size           INTEGER NOT NULL,
  PRIMARY KEY (cache_key, digest)
);

-- index image_referrers_digest
CREATE INDEX image_referrers_digest ON image_referrers (digest);

-- index image_referrers_subject
CREATE INDEX image_referrers_subject ON image_referrers (subject);

-- table images
CREATE TABLE images (
  cache_key      TEXT PRIMARY KEY,
  source         TEXT NOT NULL,
  revision       TEXT NOT NULL,
  packages       TEXT NOT NULL,  -- JSON list of attribute paths
  arch           TEXT NOT NULL,
  strategy       TEXT NOT NULL,
  config_digest  TEXT NOT NULL,
  oci_digest     TEXT NOT NULL,
  oci_size       INTEGER NOT NULL,
  docker_digest  TEXT NOT NULL,
  docker_size    INTEGER NOT NULL,
  created_at     INTEGER NOT NULL
, sbom_digest TEXT NOT NULL DEFAULT '', contents TEXT NOT NULL DEFAULT '[]');

-- index images_docker_digest
CREATE INDEX images_docker_digest ON images (docker_digest);

-- index images_oci_digest
CREATE INDEX images_oci_digest ON images (oci_digest);

-- table layers
CREATE TABLE layers (
  layer_key   TEXT PRIMARY KEY,
  digest      TEXT NOT NULL,
  diff_id     TEXT NOT NULL,
  size        INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);

-- table leases
CREATE TABLE leases (
  name        TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,
  expires_at  INTEGER NOT NULL
);

-- table memberships
CREATE TABLE memberships (
  team_id     INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (team_id, user_id)
);

-- index memberships_user
CREATE INDEX memberships_user ON memberships (user_id);

-- table resolutions
CREATE TABLE resolutions (
  name         TEXT NOT NULL,
  tag          TEXT NOT NULL,
  revision     TEXT NOT NULL,
  cache_key    TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  resolved_at  INTEGER NOT NULL,
  PRIMARY KEY (name, tag)
);

-- table schema_migrations
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL);

-- table teams
CREATE TABLE teams (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  builtin     INTEGER NOT NULL DEFAULT 0,  -- 1: made by a migration, holds no members
  created_at  INTEGER NOT NULL
);

-- table users
CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  password_hash  TEXT NOT NULL,  -- "scrypt$N$r$p$<salt>$<hash>" (auth/PasswordHasher)
  created_at     INTEGER NOT NULL
);

