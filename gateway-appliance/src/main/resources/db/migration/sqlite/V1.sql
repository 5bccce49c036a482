-- Lichen gateway schema, version 1 (SQLite). Keep in step with ../postgresql/V1.sql.
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  name TEXT,
  room TEXT,
  state TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL DEFAULT 0,
  battery DOUBLE PRECISION,
  signal DOUBLE PRECISION,
  online INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE channels (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  name TEXT NOT NULL,
  unit TEXT,
  last_value DOUBLE PRECISION,
  last_text TEXT,
  last_time BIGINT NOT NULL DEFAULT 0,
  UNIQUE (device_id, name)
);
-- a device's boot ids, interned: readings carry the small key, and (boot, seq) is the dedupe key
CREATE TABLE boots (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  UNIQUE (device_id, boot_id)
);
-- WITHOUT ROWID: the primary key is the table, so the dedupe key costs no second b-tree
CREATE TABLE readings (
  boot BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  channel BIGINT NOT NULL,
  t BIGINT NOT NULL,
  value DOUBLE PRECISION,
  vtext TEXT,
  PRIMARY KEY (boot, seq)
) WITHOUT ROWID;
CREATE INDEX readings_channel_t ON readings (channel, t);
CREATE TABLE rollups_1m (
  channel BIGINT NOT NULL,
  bucket BIGINT NOT NULL,
  vmin DOUBLE PRECISION NOT NULL,
  vmax DOUBLE PRECISION NOT NULL,
  vmean DOUBLE PRECISION NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (channel, bucket)
) WITHOUT ROWID;
CREATE TABLE rollups_1h (
  channel BIGINT NOT NULL,
  bucket BIGINT NOT NULL,
  vmin DOUBLE PRECISION NOT NULL,
  vmax DOUBLE PRECISION NOT NULL,
  vmean DOUBLE PRECISION NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (channel, bucket)
) WITHOUT ROWID;
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created BIGINT NOT NULL
);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  csrf TEXT NOT NULL,
  created BIGINT NOT NULL,
  expires BIGINT NOT NULL
);
CREATE TABLE alert_rules (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  device_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  op TEXT NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  duration_s BIGINT NOT NULL,
  enabled INTEGER NOT NULL
);
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  rule_id BIGINT NOT NULL,
  device_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  fired BIGINT NOT NULL,
  acked BIGINT NOT NULL DEFAULT 0,
  acked_by TEXT,
  cleared BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX alerts_state ON alerts (state);
