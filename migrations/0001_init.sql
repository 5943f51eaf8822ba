-- Images Strata has built and how names and tags resolved to them.

-- One row per distinct build input: (source, revision, packages, arch,
-- strategy, layer budget) hashed into cache_key.
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
);
CREATE INDEX images_oci_digest ON images (oci_digest);
CREATE INDEX images_docker_digest ON images (docker_digest);

-- Every blob an image references (config, layers, both manifests), so that a
-- blob is served under a name only when an image of that name holds it.
CREATE TABLE image_blobs (
  cache_key  TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  digest     TEXT NOT NULL,
  PRIMARY KEY (cache_key, digest)
);
CREATE INDEX image_blobs_digest ON image_blobs (digest);

-- Which images were ever served under a repository name.
CREATE TABLE image_names (
  name       TEXT NOT NULL,
  cache_key  TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  PRIMARY KEY (name, cache_key)
);

-- The latest resolution of each (name, tag): tags/list and pins read it.
CREATE TABLE resolutions (
  name         TEXT NOT NULL,
  tag          TEXT NOT NULL,
  revision     TEXT NOT NULL,
  cache_key    TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  resolved_at  INTEGER NOT NULL,
  PRIMARY KEY (name, tag)
);

-- Layers by the set of store paths they hold (layer_key), reused across images.
CREATE TABLE layers (
  layer_key   TEXT PRIMARY KEY,
  digest      TEXT NOT NULL,
  diff_id     TEXT NOT NULL,
  size        INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);
