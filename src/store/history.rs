//! The credit history in the store, and the move of the old per-account
//! history files into it.

use std::fs;
use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use rusqlite::{TransactionBehavior, params};
use rust_decimal::Decimal;

use super::{Store, StoreError, with_suffix};
use crate::monitor::Sample;
use crate::monitor::file::HistoryFile;
use crate::plivo::AuthId;

/// How far ahead of the clock a sample may be and still be believed (as the
/// history file had it).
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

impl Store {
    /// Keeps one balance sample. The same instant twice (two dashboards on
    /// one account) is kept once.
    pub fn append_sample(&mut self, auth_id: &AuthId, sample: &Sample) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO credit_sample (auth_id, at_ns, credits) VALUES (?1, ?2, ?3)",
                params![
                    auth_id.as_str(),
                    nanos(sample.at),
                    sample.credits.to_string()
                ],
            )
            .map(drop)
            .map_err(|e| self.error(e))
    }

    /// `auth_id`'s samples within `retention` before `now`, oldest first;
    /// older ones are deleted, and one from beyond the clock's skew (a clock
    /// that was wrong) is left out, since it would sit newest for ever.
    pub fn load_samples(
        &mut self,
        auth_id: &AuthId,
        now: Timestamp,
        retention: SignedDuration,
    ) -> Result<Vec<Sample>, StoreError> {
        let oldest = nanos(now.saturating_sub(retention).unwrap_or(now));
        let newest = nanos(now.saturating_add(CLOCK_SKEW).unwrap_or(now));
        let read = || -> rusqlite::Result<Vec<Sample>> {
            self.conn.execute(
                "DELETE FROM credit_sample WHERE auth_id = ?1 AND at_ns < ?2",
                params![auth_id.as_str(), oldest],
            )?;
            let mut stmt = self.conn.prepare_cached(
                "SELECT at_ns, credits FROM credit_sample
                 WHERE auth_id = ?1 AND at_ns <= ?2 ORDER BY at_ns",
            )?;
            let rows = stmt.query_map(params![auth_id.as_str(), newest], |row| {
                let at: i64 = row.get(0)?;
                let credits: String = row.get(1)?;
                let bad = |e: Box<dyn std::error::Error + Send + Sync>| {
                    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e)
                };
                Ok(Sample {
                    at: Timestamp::from_nanosecond(i128::from(at)).map_err(|e| bad(e.into()))?,
                    credits: Decimal::from_str_exact(&credits).map_err(|e| bad(e.into()))?,
                })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.error(e))
    }

    /// Moves every account's history file in `dir` into the store: its
    /// samples (within `retention` of `now`) are stored, then the file is
    /// renamed `….history.migrated` and left in place. Returns what to say
    /// once per file moved. Killed between the two, the next run imports
    /// the same samples again, which are kept once.
    pub fn import_history_files(
        &mut self,
        dir: &Path,
        now: Timestamp,
        retention: SignedDuration,
    ) -> Result<Vec<String>, StoreError> {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StoreError::Read {
                    path: dir.to_owned(),
                    source,
                });
            }
        };
        let mut said = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(auth_id) = name
                .to_str()
                .and_then(|n| n.strip_suffix(".history"))
                .and_then(|id| AuthId::parse(id).ok())
            else {
                continue;
            };
            let file = HistoryFile::new(dir, &auth_id).with_retention(retention);
            let (samples, problem) = match file.read(now) {
                Ok(read) => read,
                Err(e) => {
                    said.push(e);
                    continue;
                }
            };
            self.insert_samples(&auth_id, &samples)?;
            let moved = with_suffix(file.path(), ".migrated");
            let mut line = match fs::rename(file.path(), &moved) {
                Ok(()) => format!(
                    "credit history {} moved into {} ({} samples); the old file is kept as {}",
                    file.path().display(),
                    self.path.display(),
                    samples.len(),
                    moved.display()
                ),
                Err(e) => format!(
                    "credit history {} copied into {} but could not be renamed ({e})",
                    file.path().display(),
                    self.path.display()
                ),
            };
            if let Some(problem) = problem {
                line = format!("{line}; {problem}");
            }
            said.push(line);
        }
        Ok(said)
    }

    fn insert_samples(&mut self, auth_id: &AuthId, samples: &[Sample]) -> Result<(), StoreError> {
        let mut write = || -> rusqlite::Result<()> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT OR IGNORE INTO credit_sample (auth_id, at_ns, credits)
                     VALUES (?1, ?2, ?3)",
                )?;
                for s in samples {
                    insert.execute(params![
                        auth_id.as_str(),
                        nanos(s.at),
                        s.credits.to_string()
                    ])?;
                }
            }
            tx.commit()
        };
        write().map_err(|e| self.error(e))
    }
}

/// A time as nanoseconds since the epoch: exact, and within i64 until 2262
/// (later saturates, which a credit sample never is).
fn nanos(at: Timestamp) -> i64 {
    i64::try_from(at.as_nanosecond()).unwrap_or(i64::MAX)
}
