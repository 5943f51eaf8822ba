-- PostgreSQL form of ../0007_declared_images.sql.

ALTER TABLE images ADD COLUMN contents TEXT NOT NULL DEFAULT '[]';
