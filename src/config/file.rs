//! Writing the config file: one profile's credentials set or removed in
//! place, its comments, order and every other profile kept (`toml_edit`);
//! written whole or not at all (a temporary file beside it, then a rename),
//! readable by its owner only (the file 0600, a directory made for it 0700).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret as _, SecretString};
use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

use super::parse::{Invalid, TOP_LEVEL, TOP_LEVEL_SHOWN, means_top_level, validate};

/// Why the config file could not be edited; whatever was there is left as
/// it was.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// It exists but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not TOML at all.
    #[error("{} is not valid TOML, so it was left as it is: {reason}", path.display())]
    NotToml {
        /// The file.
        path: PathBuf,
        /// The parser's words, trimmed.
        reason: String,
    },
    /// TOML the commands would refuse (`interval = "soon"`): edited, it
    /// would stay unusable, and a value in the way could be lost.
    #[error("{} is not a valid config file, so it was left as it is: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its line.
        reason: Invalid,
    },
    /// The new file could not be written or put in place.
    #[error("cannot write {} (it is unchanged): {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Its directory is missing and could not be made.
    #[error("cannot make {}: {source}", dir.display())]
    MakeDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The lock file beside it could not be opened or locked.
    #[error("cannot lock {}: {source}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The config file as text to edit, locked against other writers (another
/// `login` at the same moment) from reading to writing.
#[derive(Debug)]
pub(crate) struct ConfigFile {
    path: PathBuf,
    doc: DocumentMut,
    /// Lines end in CRLF (a file from a Windows editor): kept so.
    crlf: bool,
    _lock: Option<Lock>,
}

/// Where `path` leads through symbolic links, even to a file not there yet
/// (a dotfiles link made before its file): written there, the link stays.
fn through_links(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let mut at = path.to_owned();
    // As many hops as Linux follows before it gives up (ELOOP).
    for _ in 0..40 {
        match std::fs::read_link(&at) {
            Ok(next) => {
                at = match at.parent() {
                    Some(dir) if next.is_relative() => dir.join(next),
                    _ => next,
                };
            }
            Err(_) => break,
        }
    }
    at
}

impl ConfigFile {
    /// The file at `path` (through a symbolic link, the file it names);
    /// empty if it does not exist yet. Waits for any other writer first.
    pub fn open(path: &Path) -> Result<Self, FileError> {
        let path = through_links(path);
        let lock = lock(&path)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(FileError::Read { path, source }),
        };
        let doc = match text.parse::<DocumentMut>() {
            Ok(doc) => doc,
            Err(e) => {
                return Err(FileError::NotToml {
                    path,
                    reason: e.to_string().trim().to_owned(),
                });
            }
        };
        // Valid TOML the commands would still refuse (`interval = "soon"`,
        // `[profiles] a = 1`): edited, it would stay unusable, and a value
        // in the way could be lost.
        if let Err(reason) = validate(&text) {
            return Err(FileError::Invalid { path, reason });
        }
        Ok(Self {
            path,
            doc,
            crlf: text.contains("\r\n"),
            _lock: lock,
        })
    }

    /// The `[profiles]` table, if there is one.
    fn profiles(&self) -> Option<&dyn TableLike> {
        self.doc.get("profiles").and_then(Item::as_table_like)
    }

    /// A key's text in `profile`'s table (`None`: the top level), if set.
    pub fn text(&self, profile: Option<&str>, key: &str) -> Option<String> {
        let table: &dyn TableLike = match profile {
            None => self.doc.as_table(),
            Some(name) => self.profiles()?.get(name).and_then(Item::as_table_like)?,
        };
        table.get(key)?.as_str().map(str::to_owned)
    }

    /// The table a profile name means, as every command reads it (see
    /// [`means_top_level`]).
    pub(crate) fn table_named<'a>(&self, name: Option<&'a str>) -> Option<&'a str> {
        let called_default = self.profiles().is_some_and(|p| p.contains_key(TOP_LEVEL));
        name.filter(|name| !means_top_level(name, called_default))
    }

    /// What a table is called, as `profiles` lists it: the top level is
    /// "default", or "(top level)" where a profile has that name.
    pub(crate) fn shown_name(&self, table: Option<&str>) -> String {
        let name = match table {
            Some(name) => name,
            None if self.table_named(Some(TOP_LEVEL)).is_some() => TOP_LEVEL_SHOWN,
            None => TOP_LEVEL,
        };
        crate::text::sanitize(name)
    }

    /// Sets `profile`'s auth id (`None`: the top level's), its token if
    /// given (else removes any token there: it lives elsewhere now), and
    /// its API URL if given. Nothing else in the file changes.
    pub(crate) fn set_credentials(
        &mut self,
        profile: Option<&str>,
        auth_id: &str,
        token: Option<&SecretString>,
        api_url: Option<&str>,
    ) {
        let table = self.table(profile);
        set(table, "auth_id", auth_id);
        match token {
            Some(token) => set(table, "auth_token", token.expose_secret()),
            None => {
                table.remove("auth_token");
            }
        }
        if let Some(url) = api_url {
            set(table, "api_url", url);
        }
    }

    /// Removes `profile`'s token; true when there was one.
    pub(crate) fn remove_token(&mut self, profile: Option<&str>) -> bool {
        let table: Option<&mut dyn TableLike> = match profile {
            None => Some(self.doc.as_table_mut()),
            Some(name) => self
                .doc
                .get_mut("profiles")
                .and_then(Item::as_table_like_mut)
                .and_then(|p| p.get_mut(name))
                .and_then(Item::as_table_like_mut),
        };
        table.is_some_and(|t| t.remove("auth_token").is_some())
    }

    /// The table a profile's keys go in (an inline one stays inline),
    /// made if missing.
    fn table(&mut self, profile: Option<&str>) -> &mut dyn TableLike {
        let Some(name) = profile else {
            return self.doc.as_table_mut();
        };
        if !self.doc.get("profiles").is_some_and(Item::is_table_like) {
            let mut t = Table::new();
            // `[profiles.NAME]` headers, not an empty `[profiles]`.
            t.set_implicit(true);
            self.doc.insert("profiles", Item::Table(t));
        }
        let profiles = self
            .doc
            .get_mut("profiles")
            .and_then(Item::as_table_like_mut)
            .unwrap_or_else(|| unreachable!("a table by the lines above"));
        if !profiles.get(name).is_some_and(Item::is_table_like) {
            profiles.insert(name, Item::Table(Table::new()));
        }
        profiles
            .get_mut(name)
            .and_then(Item::as_table_like_mut)
            .unwrap_or_else(|| unreachable!("a table by the lines above"))
    }

    /// Writes the file: all of it or, on any failure, none of it (the old
    /// file stays as it was). The file is 0600; a directory made for it
    /// 0700.
    pub fn save(&self) -> Result<(), FileError> {
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        make_dir(dir)?;
        let name = self
            .path
            .file_name()
            .map_or_else(|| "config.toml".into(), |n| n.to_string_lossy());
        let temporary = dir.join(format!(".{name}.{}.new", std::process::id()));
        let mut text = self.doc.to_string();
        if self.crlf {
            text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        let written = write_new(&temporary, text.as_bytes())
            .and_then(|()| std::fs::rename(&temporary, &self.path));
        if let Err(source) = written {
            let _ = std::fs::remove_file(&temporary);
            return Err(FileError::Write {
                path: self.path.clone(),
                source,
            });
        }
        Ok(())
    }
}

/// Sets `key` to `text`, keeping the comment and spacing around the value
/// it replaces.
fn set(table: &mut dyn TableLike, key: &str, text: &str) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = Value::from(text);
            *old.decor_mut() = decor;
        }
        None => {
            table.insert(key, Item::Value(Value::from(text)));
        }
    }
}

/// Makes the config's directory, 0700, if it is missing.
fn make_dir(dir: &Path) -> Result<(), FileError> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| FileError::MakeDir {
        dir: dir.to_path_buf(),
        source,
    })
}

/// The lock file beside the config, held: removed when let go, so no
/// `.config.toml.lock` is left behind.
#[derive(Debug)]
struct Lock {
    file: std::fs::File,
    /// Removed on drop where a held file can be (see `still_at`).
    #[cfg_attr(not(unix), allow(dead_code))]
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held: a writer waiting on this file finds it
        // gone once it has the lock, and takes the next one (see `lock`).
        #[cfg(unix)]
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Whether `file`, now locked, is still the one at `path`: not removed by
/// the writer before, who held it.
fn still_at(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(held), Ok(there)) => held.dev() == there.dev() && held.ino() == there.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Holds the lock file beside the config (`.NAME.lock`) until dropped, so
/// two writers take turns and neither loses the other's change. The
/// directory is made first if need be, so that even the first two writers
/// have a lock to share.
fn lock(path: &Path) -> Result<Option<Lock>, FileError> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(None);
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    make_dir(dir)?;
    let lock_path = dir.join(format!(".{}.lock", name.to_string_lossy()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    // A file system whose ids do not compare (some network or FUSE ones)
    // must not spin: after a few turns the lock held is taken as it is.
    let mut turns = 0;
    loop {
        turns += 1;
        let file = match options.open(&lock_path) {
            Ok(file) => file,
            // A directory we may read but not write: the save will say so.
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => return Ok(None),
            Err(source) => {
                return Err(FileError::Lock {
                    path: lock_path,
                    source,
                });
            }
        };
        if let Err(source) = file.lock() {
            return Err(FileError::Lock {
                path: lock_path,
                source,
            });
        }
        if turns > 20 || still_at(&file, &lock_path) {
            return Ok(Some(Lock {
                file,
                path: lock_path,
            }));
        }
    }
}

/// Writes `bytes` to a file made afresh at `path`, 0600, and flushes it to
/// the disk before the rename makes it the config.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // Left by a crash between writing and renaming: nobody's file.
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# my settings\ninterval = 30  # half a minute\n\n[profiles.ops]\n# the ops account\nauth_id = \"MA2025OPS00000000001\"\nauth_token = \"old\"\n";

    fn edited(text: &str, edit: impl FnOnce(&mut ConfigFile)) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let mut file = ConfigFile::open(&path).unwrap();
        edit(&mut file);
        file.save().unwrap();
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn a_new_profile_keeps_every_comment_and_the_others() {
        let text = edited(FILE, |f| {
            f.set_credentials(
                Some("billing"),
                "MA2025BILL0000000002",
                Some(&SecretString::from("tok")),
                None,
            );
        });
        assert!(text.starts_with(FILE), "untouched above: {text}");
        assert!(
            text.ends_with(
                "\n[profiles.billing]\nauth_id = \"MA2025BILL0000000002\"\nauth_token = \"tok\"\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn logging_in_again_replaces_the_credentials_only() {
        let text = edited(FILE, |f| {
            f.set_credentials(Some("ops"), "MA2025OPS00000000009", None, None);
        });
        assert_eq!(
            text,
            "# my settings\ninterval = 30  # half a minute\n\n[profiles.ops]\n# the ops account\nauth_id = \"MA2025OPS00000000009\"\n"
        );
        let again = edited(&text, |f| assert!(!f.remove_token(Some("ops"))));
        assert_eq!(again, text);
        let top = edited(FILE, |f| {
            f.set_credentials(
                None,
                "MA2025TOP00000000003",
                Some(&SecretString::from("t")),
                Some("http://127.0.0.1:1"),
            );
        });
        assert!(
            top.contains("interval = 30  # half a minute\nauth_id = \"MA2025TOP00000000003\""),
            "{top}"
        );
        assert!(top.contains("[profiles.ops]\n# the ops account"), "{top}");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_and_its_directory_are_the_owner_s_alone() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("config.toml");
        let mut file = ConfigFile::open(&path).unwrap();
        file.set_credentials(
            Some("a b"),
            "MA2025RK4E639VJFZAGV",
            Some(&SecretString::from("t")),
            None,
        );
        file.save().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[profiles.\"a b\"]\nauth_id = \"MA2025RK4E639VJFZAGV\"\nauth_token = \"t\"\n"
        );
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, FILE).unwrap();
        // Where the new file would be written, something that cannot be
        // replaced: the write fails before the rename.
        let temporary = dir
            .path()
            .join(format!(".config.toml.{}.new", std::process::id()));
        std::fs::create_dir(&temporary).unwrap();
        std::fs::write(temporary.join("x"), "").unwrap();
        let mut file = ConfigFile::open(&path).unwrap();
        file.set_credentials(Some("ops"), "MA2025OPS00000000009", None, None);
        let err = file.save().unwrap_err().to_string();
        assert!(err.contains("it is unchanged"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), FILE);
    }

    #[test]
    fn an_inline_profile_keeps_its_other_keys_and_comments_stay_on_their_lines() {
        let text = edited(
            "[profiles]\nwork = { auth_id = \"MA2025OLD00000000001\", alert_below = 7.5 } # keep me\n\n[profiles.dotted]\nauth_id = \"MA2025DOT00000000001\" # trailing\n",
            |f| {
                f.set_credentials(Some("work"), "MA2025NEW00000000001", None, None);
                f.set_credentials(Some("dotted"), "MA2025DOT00000000002", None, None);
            },
        );
        assert_eq!(
            text,
            "[profiles]\nwork = { auth_id = \"MA2025NEW00000000001\", alert_below = 7.5 } # keep me\n\n[profiles.dotted]\nauth_id = \"MA2025DOT00000000002\" # trailing\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_written_through_even_to_a_file_not_there_yet() {
        for there in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join("dotfiles")).unwrap();
            let real = dir.path().join("dotfiles/plivo.toml");
            if there {
                std::fs::write(&real, FILE).unwrap();
            }
            let link = dir.path().join("config.toml");
            std::os::unix::fs::symlink("dotfiles/plivo.toml", &link).unwrap();
            let mut file = ConfigFile::open(&link).unwrap();
            file.set_credentials(Some("ops"), "MA2025OPS00000000009", None, None);
            file.save().unwrap();
            let link_kept = std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink();
            assert!(link_kept, "there: {there}");
            let text = std::fs::read_to_string(&real).unwrap();
            assert!(text.contains("MA2025OPS00000000009"), "{text}");
        }
    }

    #[test]
    fn a_file_the_commands_would_refuse_is_not_edited() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        for text in [
            "interval = \"soon\"\n",
            "[profiles]\na = 1\n",
            "profiles = 3\n",
        ] {
            std::fs::write(&path, text).unwrap();
            let Err(e) = ConfigFile::open(&path) else {
                panic!("opened for editing: {text}");
            };
            assert!(
                e.to_string()
                    .contains("not a valid config file, so it was left as it is"),
                "{e}"
            );
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        }
    }

    #[test]
    fn writers_at_the_same_moment_take_turns_and_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, FILE).unwrap();
        let writers: Vec<_> = (0..16)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut file = ConfigFile::open(&path).unwrap();
                    file.set_credentials(
                        Some(&format!("p{i}")),
                        "MA2025RK4E639VJFZAGV",
                        None,
                        None,
                    );
                    file.save().unwrap();
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for i in 0..8 {
            assert!(
                text.contains(&format!("[profiles.p{i}]")),
                "p{i} lost: {text}"
            );
        }
        assert!(text.starts_with("# my settings"));
        // Nothing is left beside it but the file itself.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["config.toml"], "{left:?}");
    }

    #[test]
    fn a_file_with_crlf_line_ends_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# mine\r\ninterval = 30\r\n").unwrap();
        let mut file = ConfigFile::open(&path).unwrap();
        file.set_credentials(Some("b"), "MA2025RK4E639VJFZAGV", None, None);
        file.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# mine\r\ninterval = 30\r\n"), "{text:?}");
        assert!(text.contains("[profiles.b]\r\nauth_id"), "{text:?}");
        assert_eq!(
            text.matches('\n').count(),
            text.matches("\r\n").count(),
            "{text:?}"
        );
    }

    #[test]
    fn a_broken_file_is_refused_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "auth_id = \"x\"\n[broken\n").unwrap();
        let err = ConfigFile::open(&path).unwrap_err().to_string();
        assert!(err.contains("left as it is"), "{err}");
    }
}
