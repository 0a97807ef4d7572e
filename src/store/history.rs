//! The credit history in the store, and the move of each account's old
//! history file into it.

use std::fs;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use rusqlite::{TransactionBehavior, params};
use rust_decimal::Decimal;

use super::{Opened, Store, StoreError, with_suffix};
use crate::monitor::Sample;
use crate::monitor::file::HistoryFile;
use crate::plivo::AuthId;

/// How far ahead of the clock a sample may be and still be believed (as the
/// history file had it).
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// Where one account's credit history is kept: the store in a state
/// directory, which also holds the account's old history file until it is
/// moved in. What the dashboard's and the exporter's workers and the
/// `history` command open alike.
#[derive(Debug, Clone)]
pub struct CreditHistory {
    dir: PathBuf,
    auth_id: AuthId,
    retention: SignedDuration,
}

/// An account's credit history as opened: the store to keep new samples
/// in, the samples kept, and what to say once.
#[derive(Debug)]
pub struct Kept {
    /// The open store.
    pub store: Store,
    /// The samples within the retention, oldest first.
    pub samples: Vec<Sample>,
    /// The old history file moved in on this run (said once: the file is
    /// renamed, so no later run finds it).
    pub moved: Option<String>,
    /// Something wrong: a damaged store set aside, an old file damaged or
    /// unreadable.
    pub warning: Option<String>,
}

impl CreditHistory {
    /// `auth_id`'s history in the state directory `dir`, keeping
    /// `retention` of it.
    pub fn new(dir: &Path, auth_id: &AuthId, retention: SignedDuration) -> Self {
        Self {
            dir: dir.to_owned(),
            auth_id: auth_id.clone(),
            retention,
        }
    }

    /// The store's file.
    pub fn store_path(&self) -> PathBuf {
        self.dir.join(super::FILE_NAME)
    }

    /// Opens the store (setting a damaged one aside), moves the account's
    /// old history file into it if it is still there, and reads the samples
    /// within the retention before `now`, deleting older ones.
    pub fn open(&self, now: Timestamp) -> Result<Kept, StoreError> {
        let Opened { mut store, notice } = Store::open(&self.store_path(), now)?;
        let Imported { moved, problem } =
            store.import_history_file(&self.dir, &self.auth_id, now, self.retention)?;
        let samples = store.load_samples(&self.auth_id, now, self.retention)?;
        let warning = match (notice, problem) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
        Ok(Kept {
            store,
            samples,
            moved,
            warning,
        })
    }

    /// For when the store cannot be opened: the old history file's samples
    /// (read, never changed) with what is wrong with it, or `None` when
    /// there is no such file, so that history is still shown.
    pub fn unmoved(&self, now: Timestamp) -> Option<(Vec<Sample>, Option<String>)> {
        let file = HistoryFile::new(&self.dir, &self.auth_id).with_retention(self.retention);
        if !file.path().exists() {
            return None;
        }
        Some(match file.read(now) {
            Ok((samples, problem)) => (
                samples,
                problem.map(|p| format!("history {} {p}", file.path().display())),
            ),
            Err(e) => (Vec::new(), Some(e)),
        })
    }

    /// Keeps `sample` in `store`, forgetting what has fallen out of the
    /// retention before `now`.
    pub fn record(
        &self,
        store: &mut Store,
        sample: &Sample,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        store.append_sample(&self.auth_id, sample, oldest(now, self.retention))
    }
}

/// What moving an old history file in did.
struct Imported {
    moved: Option<String>,
    problem: Option<String>,
}

/// The oldest time `retention` before `now` keeps.
fn oldest(now: Timestamp, retention: SignedDuration) -> Timestamp {
    now.saturating_sub(retention).unwrap_or(now)
}

impl Store {
    /// Keeps one balance sample and forgets `auth_id`'s samples older than
    /// `oldest`, in one transaction. The same instant twice (two dashboards
    /// on one account) is kept once.
    pub fn append_sample(
        &mut self,
        auth_id: &AuthId,
        sample: &Sample,
        oldest: Timestamp,
    ) -> Result<(), StoreError> {
        let mut write = || -> rusqlite::Result<()> {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT OR IGNORE INTO credit_sample (auth_id, at_ns, credits) VALUES (?1, ?2, ?3)",
                params![
                    auth_id.as_str(),
                    nanos(sample.at),
                    sample.credits.to_string()
                ],
            )?;
            forget(&tx, auth_id, oldest)?;
            tx.commit()
        };
        write().map_err(|e| self.error(e))
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
        let newest = nanos(now.saturating_add(CLOCK_SKEW).unwrap_or(now));
        let mut read = || -> rusqlite::Result<Vec<Sample>> {
            // Taking the write lock up front: a delete that first read,
            // then found another process had written since, would fail
            // rather than wait.
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            forget(&tx, auth_id, oldest(now, retention))?;
            let samples = {
                let mut stmt = tx.prepare_cached(
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
                        at: Timestamp::from_nanosecond(i128::from(at))
                            .map_err(|e| bad(e.into()))?,
                        credits: Decimal::from_str_exact(&credits).map_err(|e| bad(e.into()))?,
                    })
                })?;
                rows.collect::<rusqlite::Result<Vec<Sample>>>()?
            };
            tx.commit()?;
            Ok(samples)
        };
        read().map_err(|e| self.error(e))
    }

    /// Moves `auth_id`'s history file in `dir` into the store: its samples
    /// (within `retention` of `now`) are stored, then the file is renamed
    /// `….history.migrated` and left in place, which is said. No file (moved
    /// before, by this process or another at the same moment) says nothing.
    /// Killed between the two steps, the next run imports the same samples
    /// again, which are kept once.
    fn import_history_file(
        &mut self,
        dir: &Path,
        auth_id: &AuthId,
        now: Timestamp,
        retention: SignedDuration,
    ) -> Result<Imported, StoreError> {
        let file = HistoryFile::new(dir, auth_id).with_retention(retention);
        let nothing = Imported {
            moved: None,
            problem: None,
        };
        if !file.path().exists() {
            return Ok(nothing);
        }
        let (samples, problem) = match file.read(now) {
            Ok(read) => read,
            Err(e) => {
                return Ok(Imported {
                    moved: None,
                    problem: Some(format!("{e}; it stays where it is, out of the store")),
                });
            }
        };
        self.insert_samples(auth_id, &samples)?;
        let kept_as = with_suffix(file.path(), ".migrated");
        let moved = match fs::rename(file.path(), &kept_as) {
            // Short, for a dashboard's footer: the old file is beside the
            // store, so its name says where it is.
            Ok(()) => format!(
                "credit history moved into {} ({} samples); the old file is kept beside it as {}",
                self.path.display(),
                samples.len(),
                kept_as
                    .file_name()
                    .unwrap_or(kept_as.as_os_str())
                    .to_string_lossy()
            ),
            // Another process moved it first, and says so.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(nothing),
            Err(e) => {
                return Ok(Imported {
                    moved: None,
                    problem: Some(format!(
                        "credit history {} copied into {} but could not be renamed ({e})",
                        file.path().display(),
                        self.path.display()
                    )),
                });
            }
        };
        Ok(Imported {
            moved: Some(moved),
            problem: problem.map(|p| {
                format!(
                    "the old history {} {p}; what could be read of it was moved",
                    file.path().display()
                )
            }),
        })
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

/// Deletes `auth_id`'s samples older than `oldest`.
fn forget(
    conn: &rusqlite::Connection,
    auth_id: &AuthId,
    oldest: Timestamp,
) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM credit_sample WHERE auth_id = ?1 AND at_ns < ?2",
        params![auth_id.as_str(), nanos(oldest)],
    )
}
