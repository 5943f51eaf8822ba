-- Image indexes (a source with several platforms, docs/oci.md): an index is
-- a row of images with no config ('') and its platforms, comma-separated, as
-- arch; its OCI index and Docker manifest list are its two manifests. Its
-- images, one per platform, are rows of their own, listed here in order.
-- Serving a name:tag that is an index serves its images under the name too.
CREATE TABLE image_members (
  cache_key   TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  member_key  TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  PRIMARY KEY (cache_key, position)
);
