//! The store's schema and the runner that brings any earlier version of it
//! up to date. `PRAGMA user_version` is the version; migration `i` takes a
//! database from version `i` to `i + 1`, so a database of any earlier version
//! is migrated by running the tail of the list, and a test can build each
//! earlier version by running its head.

use rusqlite::{Connection, TransactionBehavior};

/// The migrations in order: `MIGRATIONS[i]` takes version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2];

/// The version this build writes.
pub const VERSION: u32 = 2;

/// Version 1: usage records, their sync positions, rented numbers and the
/// credit history.
///
/// Money in records is integer micro-dollars so SQL sums it exactly (SUM of
/// integers never goes through a float). A balance is kept as the decimal's
/// text, scale and all, since it is only ever read back, never summed.
///
/// `number` is the rented number a record went through (`from` outbound,
/// `to` inbound), worked out once on insert so "by number" is a plain column.
///
/// The totals read `usage_day`, one row per account, UTC day and every
/// combination of the views' keys, kept by triggers as records are inserted,
/// updated or deleted (a few hundred rows a day, where the records are
/// thousands); only a window's partial first and last days are read from the
/// records themselves, through `usage_at`. Unknown keys are '' there, since a
/// primary key cannot hold NULL.
const V1: &str = "
CREATE TABLE usage_record (
    uuid TEXT PRIMARY KEY NOT NULL,
    auth_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'message')),
    at INTEGER NOT NULL,
    direction TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    number TEXT NOT NULL,
    country TEXT,
    subaccount TEXT,
    amount_micros INTEGER NOT NULL
);
CREATE INDEX usage_at ON usage_record (auth_id, at);
CREATE TABLE usage_day (
    auth_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subaccount TEXT NOT NULL,
    country TEXT NOT NULL,
    number TEXT NOT NULL,
    records INTEGER NOT NULL,
    amount_micros INTEGER NOT NULL,
    PRIMARY KEY (auth_id, day, kind, subaccount, country, number)
) WITHOUT ROWID;
CREATE TRIGGER usage_day_insert AFTER INSERT ON usage_record BEGIN
    INSERT INTO usage_day VALUES (NEW.auth_id, NEW.at / 86400, NEW.kind,
        coalesce(NEW.subaccount, ''), coalesce(NEW.country, ''), NEW.number, 1,
        NEW.amount_micros)
    ON CONFLICT DO UPDATE SET records = records + 1,
        amount_micros = amount_micros + excluded.amount_micros;
END;
CREATE TRIGGER usage_day_delete AFTER DELETE ON usage_record BEGIN
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND day = OLD.at / 86400 AND kind = OLD.kind
        AND subaccount = coalesce(OLD.subaccount, '') AND country = coalesce(OLD.country, '')
        AND number = OLD.number;
END;
CREATE TRIGGER usage_day_update AFTER UPDATE ON usage_record BEGIN
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND day = OLD.at / 86400 AND kind = OLD.kind
        AND subaccount = coalesce(OLD.subaccount, '') AND country = coalesce(OLD.country, '')
        AND number = OLD.number;
    INSERT INTO usage_day VALUES (NEW.auth_id, NEW.at / 86400, NEW.kind,
        coalesce(NEW.subaccount, ''), coalesce(NEW.country, ''), NEW.number, 1,
        NEW.amount_micros)
    ON CONFLICT DO UPDATE SET records = records + 1,
        amount_micros = amount_micros + excluded.amount_micros;
END;
CREATE TABLE sync_position (
    auth_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'message')),
    newest_at INTEGER,
    backfill_at INTEGER,
    backfill_done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (auth_id, kind)
) WITHOUT ROWID;
CREATE TABLE rented_number (
    auth_id TEXT NOT NULL,
    number TEXT NOT NULL,
    monthly_rental_micros INTEGER NOT NULL,
    sub_account TEXT,
    renewal_date TEXT,
    number_type TEXT NOT NULL,
    country TEXT,
    PRIMARY KEY (auth_id, number)
) WITHOUT ROWID;
CREATE TABLE credit_sample (
    auth_id TEXT NOT NULL,
    at_ns INTEGER NOT NULL,
    credits TEXT NOT NULL,
    PRIMARY KEY (auth_id, at_ns)
) WITHOUT ROWID;
";

/// Version 2: DESIGN's eight products (`voice-outbound` … `whatsapp-inbound`)
/// and how each record's owner was decided.
///
/// A record keeps its `message_type` (`sms`, `mms`, `whatsapp`; NULL for a
/// call) and its `product`, worked out on insert from its kind, direction
/// and type; NULL when one of them is not known. Version 1 did not keep a
/// message's type: its messages stay of unknown product (said as such)
/// until a sync reads them again, never guessed to be SMS. Its calls kept
/// their direction, so theirs is known.
///
/// `attribution` says what decided `subaccount`: `number` (the rented number
/// it went through), `query` (read with the list's `subaccount` filter), or
/// `asked` (unattributed by its number, and no subaccount's list held it),
/// NULL (unattributed, its subaccounts not asked yet). Version 1's owned
/// records were all by number.
///
/// The daily sums are rebuilt keyed by one view at a time: a row per
/// account, view, UTC day and that view's key (unknown: ''), each record
/// counted once in each of the four views (the day view reads the product
/// one). Keyed by every view's key at once, as in version 1, the eight
/// products would have multiplied its rows past what "by country" over a
/// million records reads in 50 ms; one view at a time, a day is a few dozen
/// rows whatever the mix.
const V2: &str = "
DROP TRIGGER usage_day_insert;
DROP TRIGGER usage_day_delete;
DROP TRIGGER usage_day_update;
DROP TABLE usage_day;
ALTER TABLE usage_record ADD COLUMN message_type TEXT;
ALTER TABLE usage_record ADD COLUMN product TEXT;
ALTER TABLE usage_record ADD COLUMN attribution TEXT
    CHECK (attribution IN ('number', 'query', 'asked'));
UPDATE usage_record SET product = 'voice-' || direction
    WHERE kind = 'call' AND direction IN ('inbound', 'outbound');
UPDATE usage_record SET attribution = 'number' WHERE subaccount IS NOT NULL;
CREATE INDEX usage_unasked ON usage_record (auth_id, kind, at) WHERE attribution IS NULL;
CREATE TABLE usage_day (
    auth_id TEXT NOT NULL,
    view TEXT NOT NULL CHECK (view IN ('product', 'subaccount', 'country', 'number')),
    day INTEGER NOT NULL,
    key TEXT NOT NULL,
    records INTEGER NOT NULL,
    amount_micros INTEGER NOT NULL,
    PRIMARY KEY (auth_id, view, day, key)
) WITHOUT ROWID;
INSERT INTO usage_day
    SELECT auth_id, 'product', at / 86400, coalesce(product, ''), count(*), sum(amount_micros)
    FROM usage_record GROUP BY auth_id, at / 86400, 4;
INSERT INTO usage_day
    SELECT auth_id, 'subaccount', at / 86400, coalesce(subaccount, ''), count(*), sum(amount_micros)
    FROM usage_record GROUP BY auth_id, at / 86400, 4;
INSERT INTO usage_day
    SELECT auth_id, 'country', at / 86400, coalesce(country, ''), count(*), sum(amount_micros)
    FROM usage_record GROUP BY auth_id, at / 86400, 4;
INSERT INTO usage_day
    SELECT auth_id, 'number', at / 86400, number, count(*), sum(amount_micros)
    FROM usage_record GROUP BY auth_id, at / 86400, 4;
CREATE TRIGGER usage_day_insert AFTER INSERT ON usage_record BEGIN
    INSERT INTO usage_day VALUES
        (NEW.auth_id, 'product', NEW.at / 86400, coalesce(NEW.product, ''), 1, NEW.amount_micros),
        (NEW.auth_id, 'subaccount', NEW.at / 86400, coalesce(NEW.subaccount, ''), 1, NEW.amount_micros),
        (NEW.auth_id, 'country', NEW.at / 86400, coalesce(NEW.country, ''), 1, NEW.amount_micros),
        (NEW.auth_id, 'number', NEW.at / 86400, NEW.number, 1, NEW.amount_micros)
    ON CONFLICT DO UPDATE SET records = records + 1,
        amount_micros = amount_micros + excluded.amount_micros;
END;
CREATE TRIGGER usage_day_delete AFTER DELETE ON usage_record BEGIN
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND view = 'product' AND day = OLD.at / 86400
        AND key = coalesce(OLD.product, '');
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND view = 'subaccount' AND day = OLD.at / 86400
        AND key = coalesce(OLD.subaccount, '');
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND view = 'country' AND day = OLD.at / 86400
        AND key = coalesce(OLD.country, '');
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND view = 'number' AND day = OLD.at / 86400
        AND key = OLD.number;
END;
CREATE TRIGGER usage_day_update AFTER UPDATE OF auth_id, at, product, subaccount, country,
        number, amount_micros ON usage_record BEGIN
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND view = 'product' AND day = OLD.at / 86400
        AND key = coalesce(OLD.product, '');
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND view = 'subaccount' AND day = OLD.at / 86400
        AND key = coalesce(OLD.subaccount, '');
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND view = 'country' AND day = OLD.at / 86400
        AND key = coalesce(OLD.country, '');
    UPDATE usage_day SET records = records - 1, amount_micros = amount_micros - OLD.amount_micros
    WHERE auth_id = OLD.auth_id AND view = 'number' AND day = OLD.at / 86400
        AND key = OLD.number;
    INSERT INTO usage_day VALUES
        (NEW.auth_id, 'product', NEW.at / 86400, coalesce(NEW.product, ''), 1, NEW.amount_micros),
        (NEW.auth_id, 'subaccount', NEW.at / 86400, coalesce(NEW.subaccount, ''), 1, NEW.amount_micros),
        (NEW.auth_id, 'country', NEW.at / 86400, coalesce(NEW.country, ''), 1, NEW.amount_micros),
        (NEW.auth_id, 'number', NEW.at / 86400, NEW.number, 1, NEW.amount_micros)
    ON CONFLICT DO UPDATE SET records = records + 1,
        amount_micros = amount_micros + excluded.amount_micros;
END;
";

/// What is wrong with a database's version.
#[derive(Debug)]
pub(crate) enum Refused {
    /// Written by a newer plivo-dash, whose schema this build cannot know.
    Future(u32),
    /// SQLite failed.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Refused {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

/// The database's schema version.
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Brings the database to `target`, each step and its version number in one
/// transaction: a process killed mid-migration leaves the old version whole,
/// and two processes opening at once migrate it once (the second, waiting
/// for the write lock, finds it done).
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), Refused> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    if found > VERSION {
        return Err(Refused::Future(found));
    }
    for (step, sql) in (1..).zip(MIGRATIONS) {
        if step > found && step <= target {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", step)?;
        }
    }
    tx.commit()?;
    Ok(())
}
