-- PostgreSQL form of ../0006_image_indexes.sql.

CREATE TABLE image_members (
  cache_key   TEXT COLLATE "C" NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  member_key  TEXT COLLATE "C" NOT NULL REFERENCES images (cache_key) ON DELETE CASCADE,
  PRIMARY KEY (cache_key, position)
);
