-- Declared images (docs/images.md): the packages of an image's `contents`,
-- by pname, as a JSON list ('[]' for other images). Grants and access
-- policies judge them on every pull, cached ones too.
ALTER TABLE images ADD COLUMN contents TEXT NOT NULL DEFAULT '[]';
