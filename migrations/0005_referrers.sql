-- Software bills of materials (OCI 1.1 referrers, docs/oci.md).

-- The CycloneDX document of each image; '' for images built before this
-- migration, which are completed (Nix and the layer cache make that cheap,
-- the image's digests do not change) the next time they are pulled.
ALTER TABLE images ADD COLUMN sbom_digest TEXT NOT NULL DEFAULT '';

-- Manifests that name one of an image's manifests as their subject: the SBOM
-- artifact of its OCI manifest and of its Docker manifest. The referrers API
-- lists them by subject; a pull by digest finds them by digest.
CREATE TABLE image_referrers (
  cache_key      TEXT NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  digest         TEXT NOT NULL,
  subject        TEXT NOT NULL,
  media_type     TEXT NOT NULL,
  artifact_type  TEXT NOT NULL,
  size           INTEGER NOT NULL,
  PRIMARY KEY (cache_key, digest)
);
CREATE INDEX image_referrers_digest ON image_referrers (digest);
CREATE INDEX image_referrers_subject ON image_referrers (subject);
