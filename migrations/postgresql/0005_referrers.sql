-- PostgreSQL form of ../0005_referrers.sql.

ALTER TABLE images ADD COLUMN sbom_digest TEXT NOT NULL DEFAULT '';

CREATE TABLE image_referrers (
  cache_key      TEXT COLLATE "C" NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  digest         TEXT COLLATE "C" NOT NULL,
  subject        TEXT COLLATE "C" NOT NULL,
  media_type     TEXT NOT NULL,
  artifact_type  TEXT NOT NULL,
  size           BIGINT NOT NULL,
  PRIMARY KEY (cache_key, digest)
);
CREATE INDEX image_referrers_digest ON image_referrers (digest);
CREATE INDEX image_referrers_subject ON image_referrers (subject);
