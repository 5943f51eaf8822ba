-- Users, teams, API tokens, grants and the audit log (docs/auth.md).
-- No secret is stored in clear: passwords as scrypt strings, API tokens as
-- the SHA-256 of their secret.

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  password_hash  TEXT NOT NULL,  -- "scrypt$N$r$p$<salt>$<hash>" (auth/PasswordHasher)
  created_at     INTEGER NOT NULL
);

CREATE TABLE teams (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  builtin     INTEGER NOT NULL DEFAULT 0,  -- 1: made by a migration, holds no members
  created_at  INTEGER NOT NULL
);

-- Grants to this team apply to anonymous requests when auth.anonymousPull is on.
INSERT INTO teams (name, builtin, created_at) VALUES ('anonymous', 1, 0);

CREATE TABLE memberships (
  team_id     INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- API tokens: the secret is shown once; only its SHA-256 is kept. A revoked
-- token keeps its row (revoked_at) so that the audit trail stays readable;
-- its name may then be used again.
CREATE TABLE api_tokens (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  secret_hash   TEXT NOT NULL UNIQUE,  -- sha256 hex of the secret
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,               -- NULL: never
  revoked_at    INTEGER,               -- NULL: active
  last_used_at  INTEGER
);
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (user_id, name) WHERE revoked_at IS NULL;

-- A team may `pull` the packages of `source` (a source name or '*') whose
-- attribute path matches `package_glob`; `admin` (source and glob '*') opens
-- the admin API.
CREATE TABLE grants (
  id            INTEGER PRIMARY KEY,
  team_id       INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  source        TEXT NOT NULL,
  package_glob  TEXT NOT NULL,
  action        TEXT NOT NULL CHECK (action IN ('pull', 'admin')),
  created_at    INTEGER NOT NULL,
  UNIQUE (team_id, source, package_glob, action)
);

-- Pulls, denials, failed logins and admin changes. Never holds a secret.
CREATE TABLE audit_log (
  id              INTEGER PRIMARY KEY,
  at              INTEGER NOT NULL,
  kind            TEXT NOT NULL,  -- pull | denied | login_failed | admin
  actor           TEXT NOT NULL,  -- user name; '' for anonymous; 'cli:<os user>' for strata admin
  client_address  TEXT NOT NULL,
  target          TEXT NOT NULL,  -- image name, or what an admin change touched
  detail          TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
