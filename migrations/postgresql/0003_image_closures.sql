-- PostgreSQL form of ../0003_image_closures.sql.

CREATE TABLE image_closures (
  cache_key  TEXT COLLATE "C" PRIMARY KEY REFERENCES images (cache_key) ON DELETE CASCADE,
  closure    TEXT NOT NULL
);
