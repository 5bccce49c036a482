-- Lichen gateway schema, version 5 (sqlite). Keep in step with ../postgresql/V5.sql.
-- The public key each device presented over CoAPS (a raw public key, RFC 7250): its
-- SubjectPublicKeyInfo as base64, and the short fingerprint a person compares with the device's
-- console. pinned = 1 once the device is adopted with it: from then on no other key speaks for
-- the device. Rejecting or removing the device deletes the row.
CREATE TABLE device_public_keys (
  device_id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  pinned INTEGER NOT NULL,
  presented BIGINT NOT NULL
);
