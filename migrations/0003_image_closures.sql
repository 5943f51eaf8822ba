-- The runtime closure of each built image, so that access policies that look
-- at the closure (docs/plugins.md) also judge images served from the cache.
-- Images built before this migration have no row; they are built again (Nix
-- and the layer cache make that cheap) the first time a policy needs theirs.
CREATE TABLE image_closures (
  cache_key  TEXT PRIMARY KEY REFERENCES images (cache_key) ON DELETE CASCADE,
  -- JSON: {"roots": [store path…], "paths": [{"path", "narSize", "popularity",
  -- "references": [store path…]}…]}, as the layering strategy saw it
  closure    TEXT NOT NULL
);
