-- PostgreSQL form of ../0001_init.sql: the same tables, keys and meaning.
-- Text that is sorted or compared with '>' (names, tags, keys) is COLLATE "C",
-- so that lists and their pages are in byte order on every engine.

CREATE TABLE images (
  cache_key      TEXT COLLATE "C" PRIMARY KEY,
  source         TEXT NOT NULL,
  revision       TEXT NOT NULL,
  packages       TEXT NOT NULL,  -- JSON list of attribute paths
  arch           TEXT NOT NULL,
  strategy       TEXT NOT NULL,
  config_digest  TEXT NOT NULL,
  oci_digest     TEXT NOT NULL,
  oci_size       BIGINT NOT NULL,
  docker_digest  TEXT NOT NULL,
  docker_size    BIGINT NOT NULL,
  created_at     BIGINT NOT NULL
);
CREATE INDEX images_oci_digest ON images (oci_digest);
CREATE INDEX images_docker_digest ON images (docker_digest);

CREATE TABLE image_blobs (
  cache_key  TEXT COLLATE "C" NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  digest     TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (cache_key, digest)
);
CREATE INDEX image_blobs_digest ON image_blobs (digest);

CREATE TABLE image_names (
  name       TEXT COLLATE "C" NOT NULL,
  cache_key  TEXT COLLATE "C" NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  PRIMARY KEY (name, cache_key)
);

CREATE TABLE resolutions (
  name         TEXT COLLATE "C" NOT NULL,
  tag          TEXT COLLATE "C" NOT NULL,
  revision     TEXT NOT NULL,
  cache_key    TEXT COLLATE "C" NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  resolved_at  BIGINT NOT NULL,
  PRIMARY KEY (name, tag)
);

CREATE TABLE layers (
  layer_key   TEXT COLLATE "C" PRIMARY KEY,
  digest      TEXT COLLATE "C" NOT NULL,
  diff_id     TEXT NOT NULL,
  size        BIGINT NOT NULL,
  created_at  BIGINT NOT NULL
);
