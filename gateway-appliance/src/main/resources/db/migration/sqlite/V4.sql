-- Lichen gateway schema, version 4 (sqlite). Keep in step with ../postgresql/V4.sql.
-- The audit trail of the Security page: who did what to whom, when and from where (adoptions,
-- rejections, removals, key rotations and revocations, logins, accounts and tokens). Append only.
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  address TEXT,
  action TEXT NOT NULL,
  subject TEXT,
  detail TEXT
);
