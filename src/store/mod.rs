//! One store for what plivo-dash keeps about an account: an embedded SQLite
//! database in the state directory holding the usage records (calls and
//! messages, keyed by uuid), each list's sync position, the rented numbers
//! and the credit history.
//!
//! The file is created 0600 in a 0700 directory (it says what an account
//! spends, and on what). It runs in WAL mode with a busy timeout, so two
//! dashboards and an exporter on one account can write it at once; every
//! write is one `IMMEDIATE` transaction, taking the write lock up front so
//! writers queue on the timeout instead of failing on a lock upgrade.
//!
//! A database that is not one or is damaged is never emptied or written
//! over: it is renamed `…corrupt-<seconds>` beside itself, said with both
//! paths, and a fresh one is made.

mod history;
mod records;
mod schema;
mod spend;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, OpenFlags};

pub use history::{CreditHistory, Kept};
pub use records::{
    Decided, GroupBy, Kind, Number, SyncPosition, Total, Unasked, UsageRecord, product,
};
pub use schema::VERSION;
pub use spend::{Narrow, Source};

/// The database's file name in the state directory.
pub const FILE_NAME: &str = "store.sqlite3";
/// How long a writer waits for another's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the store could not be opened or used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The directory or file could not be made (read-only, no space…).
    #[error("cannot create the store {}: {source}", path.display())]
    Create {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A damaged database could not be moved aside, so nothing was touched.
    #[error("the store {} is damaged ({problem}) and could not be moved aside: {source}", path.display())]
    SetAside {
        /// The database file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// Why the rename failed.
        source: io::Error,
    },
    /// Written by a newer plivo-dash.
    #[error(
        "the store {} is schema version {found}, newer than this plivo-dash knows ({VERSION}): \
         upgrade plivo-dash, or move the file away to start a new one",
        path.display()
    )]
    FutureVersion {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: u32,
    },
    /// An amount with more decimal places than the store keeps (millionths).
    #[error("record {uuid}: amount {amount} has more than 6 decimal places")]
    Precision {
        /// The record.
        uuid: String,
        /// Its amount.
        amount: String,
    },
    /// SQLite failed.
    #[error("the store {}: {source}{}", path.display(), hint(source))]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
}

/// What a user can do about `error`, when SQLite's words do not say: a
/// file that is writable in a directory that is not ("attempt to write a
/// readonly database").
fn hint(error: &rusqlite::Error) -> &'static str {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) {
        "; the file and its directory must both be writable (SQLite keeps its \
         -wal and -shm files beside it)"
    } else {
        ""
    }
}

/// An open store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// What opening found: the store, and what to say once (a damaged database
/// set aside).
#[derive(Debug)]
pub struct Opened {
    /// The open store.
    pub store: Store,
    /// A damaged database that was moved aside, said with both paths.
    pub notice: Option<String>,
}

impl Store {
    /// The database in the state directory (where the history files were).
    pub fn default_path() -> Option<PathBuf> {
        crate::monitor::file::HistoryFile::default_dir().map(|dir| dir.join(FILE_NAME))
    }

    /// Opens (creating if need be) the database at `path` and migrates it to
    /// [`VERSION`]. A damaged database is set aside, never emptied, and a new
    /// one made; `now` names the file it is moved to.
    pub fn open(path: &Path, now: Timestamp) -> Result<Opened, StoreError> {
        match Self::open_checked(path) {
            Ok(store) => Ok(Opened {
                store,
                notice: None,
            }),
            Err(Open::Damaged(problem)) => {
                let aside = set_aside(path, now).map_err(|source| StoreError::SetAside {
                    path: path.to_owned(),
                    problem: problem.clone(),
                    source,
                })?;
                let store = Self::open_checked(path).map_err(|e| e.into_error(path))?;
                Ok(Opened {
                    store,
                    notice: Some(format!(
                        "the store {} was damaged ({problem}): moved to {}, starting a new one",
                        path.display(),
                        aside.display()
                    )),
                })
            }
            Err(e) => Err(e.into_error(path)),
        }
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open_checked(path: &Path) -> Result<Self, Open> {
        create_private(path).map_err(Open::Create)?;
        // The file exists: never let SQLite create one with its own mode.
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(Open::classify)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(Open::classify)?;
        // WAL lets readers go on while one writes; NORMAL syncs at each
        // checkpoint, not each commit: a power cut may lose the last
        // commits, never the database's consistency, and the next sync
        // fetches them again.
        wal(&conn).map_err(Open::classify)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(Open::classify)?;
        schema::migrate_to(&mut conn, VERSION).map_err(|e| match e {
            schema::Refused::Future(found) => Open::Future(found),
            schema::Refused::Sqlite(e) => Open::classify(e),
        })?;
        spend::ensure_indexes(&conn).map_err(Open::classify)?;
        // A truncated file opens and reads its first page fine; only a walk
        // of every page finds what is missing.
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
            .map_err(Open::classify)?;
        if check != "ok" {
            return Err(Open::Damaged(check));
        }
        Ok(Self {
            conn,
            path: path.to_owned(),
        })
    }

    /// Wraps SQLite's error with the file's path.
    fn error(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }
}

/// Puts the database in WAL mode, which the file keeps, so only the first
/// opening changes anything. That change takes its lock without SQLite's
/// busy handler: processes making a new store at once (two dashboards and
/// an exporter on a first run) would see "database is locked", so it is
/// tried again within the busy timeout.
fn wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            done => return done.map(drop),
        }
    }
}

/// Why one attempt to open failed.
enum Open {
    Create(io::Error),
    Damaged(String),
    Future(u32),
    Sqlite(rusqlite::Error),
}

impl Open {
    /// SQLite's "not a database" and "malformed" mean the file is damaged;
    /// anything else (a lock held too long, a read-only file) is not, and
    /// must not get a good database set aside.
    fn classify(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                Self::Damaged(e.to_string())
            }
            _ => Self::Sqlite(e),
        }
    }

    fn into_error(self, path: &Path) -> StoreError {
        let path = path.to_owned();
        match self {
            Open::Create(source) => StoreError::Create { path, source },
            // Still damaged after being set aside: say what SQLite says.
            Open::Damaged(problem) => StoreError::Sqlite {
                path,
                source: rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                    Some(problem),
                ),
            },
            Open::Future(found) => StoreError::FutureVersion { path, found },
            Open::Sqlite(source) => StoreError::Sqlite { path, source },
        }
    }
}

/// Makes the directory (0700) and an empty file (0600) if they are missing;
/// an existing file's mode is left as it is, never widened.
fn create_private(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        builder.create(dir)?;
    }
    let mut options = fs::OpenOptions::new();
    // Only ever a new file: an existing one (even one not writable) is
    // SQLite's to open and say what is wrong with.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        created => created.map(drop),
    }
}

/// Renames the database and its write-ahead log aside; the shared-memory
/// index is only a cache of the log and is removed.
fn set_aside(path: &Path, now: Timestamp) -> io::Result<PathBuf> {
    let aside = with_suffix(path, &format!(".corrupt-{}", now.as_second()));
    fs::rename(path, &aside)?;
    let wal = with_suffix(path, "-wal");
    if wal.exists() {
        fs::rename(&wal, with_suffix(&aside, "-wal"))?;
    }
    match fs::remove_file(with_suffix(path, "-shm")) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    Ok(aside)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests;
