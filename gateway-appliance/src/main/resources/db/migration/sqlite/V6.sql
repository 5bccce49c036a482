-- Lichen gateway schema, version 6 (sqlite). Keep in step with ../postgresql/V6.sql.
-- Commands for the devices' outputs, kept until the device acknowledges them or they expire.
-- A command's id on the wire is <epoch>-<id>: the epoch names this database, so a device that
-- moves to a new gateway (or a gateway whose database was made afresh) is not held to the ids of
-- the old one, and a device applies each command once, never an older one after a newer.
CREATE TABLE command_epoch (
  epoch TEXT NOT NULL
);
INSERT INTO command_epoch (epoch) SELECT lower(hex(randomblob(5)));
CREATE TABLE commands (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id TEXT NOT NULL,
  output TEXT NOT NULL,
  kind TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  state TEXT NOT NULL,
  detail TEXT,
  origin TEXT NOT NULL,
  created BIGINT NOT NULL,
  expires BIGINT NOT NULL,
  finished BIGINT
);
CREATE INDEX commands_by_device ON commands (device_id, state, id);
CREATE INDEX commands_pending ON commands (state, expires);
-- The outputs each device announced (switch or dimmer), replaced by its next announcement.
CREATE TABLE device_outputs (
  device_id TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  PRIMARY KEY (device_id, name)
);
-- Automations: a rule's definition as JSON (its own format version inside), when it last ran
-- and why. A run is recorded once per rule and event (the reading, the day's time, the timer
-- that set it off): a replayed event after a crash finds its run and does not fire again.
CREATE TABLE automations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  definition TEXT NOT NULL,
  created BIGINT NOT NULL,
  updated BIGINT NOT NULL,
  last_run BIGINT NOT NULL DEFAULT 0,
  last_reason TEXT
);
CREATE TABLE automation_runs (
  automation_id BIGINT NOT NULL,
  event TEXT NOT NULL,
  at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (automation_id, event)
);
CREATE INDEX automation_runs_at ON automation_runs (automation_id, at);
-- What an automation will do later ("turn the light off in 5 minutes", "humidity held 5 minutes?"):
-- due in the gateway's clock, kept so that a restart does not lose it.
CREATE TABLE automation_timers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  automation_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  due BIGINT NOT NULL,
  payload TEXT NOT NULL,
  UNIQUE (automation_id, kind, target)
);
-- An alert an automation raised carries its message (a threshold rule's alert has none).
ALTER TABLE alerts ADD COLUMN message TEXT;
-- A key a device made in a rotation and told over the link of its pinned key (its SubjectPublicKeyInfo,
-- base64): it speaks for the device too, and its first pack retires the pinned key.
ALTER TABLE device_public_keys ADD COLUMN next_key TEXT;
