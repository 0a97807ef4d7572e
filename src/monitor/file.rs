//! The credit history on disk: one small append-only file per account in the
//! XDG state directory, so the chart and burn rate survive restarts.
//!
//! Format: a header line naming the account, then one `TIMESTAMP CREDITS`
//! line per sample. Appends are single short writes, so two dashboards on the
//! same account can share a file; loading sorts and de-duplicates.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rust_decimal::Decimal;

use jiff::SignedDuration;

use crate::monitor::{RETENTION, Sample, Series};
use crate::plivo::AuthId;

const HEADER: &str = "# plivo-dash credit history v1";
/// How far ahead of the clock a sample may be and still be believed.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// What parsing a history's text found.
struct Parsed {
    samples: Vec<Sample>,
    /// How many lines parsed, before the retention.
    parsed: usize,
    problem: Option<String>,
}

/// The history file of one account.
#[derive(Debug, Clone)]
pub struct HistoryFile {
    path: PathBuf,
    auth_id: AuthId,
    retention: SignedDuration,
}

/// What loading found.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The samples within the retention window, oldest first.
    pub samples: Vec<Sample>,
    /// Set when the file was damaged or foreign and has been set aside.
    pub warning: Option<String>,
}

impl HistoryFile {
    /// The file for `auth_id` in `dir`, keeping [`RETENTION`].
    pub fn new(dir: &Path, auth_id: &AuthId) -> Self {
        Self {
            path: dir.join(format!("{auth_id}.history")),
            auth_id: auth_id.clone(),
            retention: RETENTION,
        }
    }

    /// The same file, keeping samples for `retention`.
    pub(crate) fn with_retention(mut self, retention: SignedDuration) -> Self {
        self.retention = retention;
        self
    }

    /// `$XDG_STATE_HOME/plivo-dash` (usually `~/.local/state/plivo-dash`).
    pub(crate) fn default_dir() -> Option<PathBuf> {
        use etcetera::BaseStrategy as _;
        let strategy = etcetera::choose_base_strategy().ok()?;
        let base = strategy.state_dir().unwrap_or_else(|| strategy.data_dir());
        Some(base.join("plivo-dash"))
    }

    /// The first line of this account's file.
    fn header(&self) -> String {
        format!("{HEADER} {}", self.auth_id)
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the history, trimmed to the retention window before `now`. A
    /// file that is damaged or belongs to another account is renamed aside
    /// (never deleted) and reported; the good samples of a damaged file are
    /// kept.
    pub fn load(&self, now: Timestamp) -> Loaded {
        let text = match fs::read(&self.path) {
            // Junk bytes are not valid UTF-8; read lossily so they show up as
            // a damaged file to set aside rather than an error forever.
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Loaded {
                    samples: Vec::new(),
                    warning: None,
                };
            }
            Err(e) => {
                return Loaded {
                    samples: Vec::new(),
                    warning: Some(format!(
                        "history {} could not be read ({e}); starting afresh",
                        self.path.display()
                    )),
                };
            }
        };
        let Parsed {
            samples,
            parsed,
            problem,
        } = self.parse(&text, now);
        let warning = problem.map(|problem| {
            let aside = self.set_aside(now);
            let kept = if samples.is_empty() {
                String::new()
            } else {
                format!("; kept {} good samples", samples.len())
            };
            match aside {
                Ok(aside) => format!(
                    "history {} {problem}: moved to {}{kept}",
                    self.path.display(),
                    aside.display()
                ),
                Err(e) => format!(
                    "history {} {problem} and could not be moved aside ({e})",
                    self.path.display()
                ),
            }
        });
        let trimmed = samples.len() < parsed;
        if (warning.is_some() && !samples.is_empty()) || (warning.is_none() && trimmed) {
            // Compacts the file to what is kept. Best effort: a failure here
            // only means the next start does it again.
            let _ = self.rewrite(&samples);
        }
        Loaded { samples, warning }
    }

    /// The samples as they are on disk, without touching the file (no
    /// compaction, nothing set aside), with what is wrong with it if
    /// anything: for commands that only read.
    pub fn read(&self, now: Timestamp) -> Result<(Vec<Sample>, Option<String>), String> {
        let text = match fs::read(&self.path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), None)),
            Err(e) => {
                return Err(format!(
                    "cannot read the history {}: {e}",
                    self.path.display()
                ));
            }
        };
        let parsed = self.parse(&text, now);
        let problem = parsed.problem.map(|p| {
            format!(
                "history {} {p}; its good samples are shown",
                self.path.display()
            )
        });
        Ok((parsed.samples, problem))
    }

    /// The good samples of `text`, inside the retention before `now`, and
    /// the first thing wrong with it.
    fn parse(&self, text: &str, now: Timestamp) -> Parsed {
        let expected = self.header();
        let mut samples = Vec::new();
        let mut problem = None;
        for (i, line) in text.lines().enumerate() {
            if line.starts_with('#') {
                if line != expected {
                    problem = Some(if line.starts_with(HEADER) {
                        "belongs to another account".to_owned()
                    } else {
                        format!("has an unknown header on line {}", i + 1)
                    });
                    samples.clear();
                    break;
                }
            } else if i == 0 {
                problem = Some("is not a plivo-dash history".to_owned());
                break;
            } else {
                match parse_line(line) {
                    Some(sample) => samples.push(sample),
                    None => {
                        problem.get_or_insert(format!("is damaged at line {}", i + 1));
                    }
                }
            }
        }
        if !text.is_empty() && !text.ends_with('\n') && problem.is_none() {
            problem = Some("ends in a cut-off line".to_owned());
        }
        let parsed = samples.len();
        let history = Series::from_samples(
            samples
                .into_iter()
                // A sample from the future (a clock that was wrong) would
                // sit newest forever and stop every new one being stored.
                .filter(|s| now.duration_since(s.at) <= self.retention && s.at <= now + CLOCK_SKEW),
            self.retention,
        );
        Parsed {
            samples: history.samples().iter().copied().collect(),
            parsed,
            problem,
        }
    }

    fn set_aside(&self, now: Timestamp) -> io::Result<PathBuf> {
        let aside = self
            .path
            .with_extension(format!("history.bad-{}", now.as_second()));
        fs::rename(&self.path, &aside)?;
        Ok(aside)
    }

    fn rewrite(&self, samples: &[Sample]) -> io::Result<()> {
        let temp = self.path.with_extension("history.tmp");
        let mut out = format!("{}\n", self.header());
        for s in samples {
            out.push_str(&format_line(s));
        }
        let mut file = private_options()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&temp)?;
        file.write_all(out.as_bytes())?;
        drop(file);
        fs::rename(&temp, &self.path)
    }

    /// Appends one sample, creating the file (and its directory) if need be.
    pub fn append(&self, sample: &Sample) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        let mut file: File = private_options()
            .create(true)
            .append(true)
            .open(&self.path)?;
        let mut line = String::new();
        if file.metadata()?.len() == 0 {
            line.push_str(&self.header());
            line.push('\n');
        }
        line.push_str(&format_line(sample));
        // One write per sample: appends from two dashboards never interleave
        // within a line.
        file.write_all(line.as_bytes())
    }
}

/// Options that create a file readable by its owner only, like the log:
/// the history says how much money an account has and when it spends it.
fn private_options() -> OpenOptions {
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
}

fn format_line(s: &Sample) -> String {
    format!("{} {}\n", s.at, s.credits)
}

fn parse_line(line: &str) -> Option<Sample> {
    let (at, credits) = line.split_once(' ')?;
    Some(Sample {
        at: at.parse().ok()?,
        credits: Decimal::from_str_exact(credits.trim()).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn id(s: &str) -> AuthId {
        AuthId::parse(s).unwrap()
    }

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + secs).unwrap()
    }

    fn sample(secs: i64, credits: Decimal) -> Sample {
        Sample {
            at: t(secs),
            credits,
        }
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(&dir.path().join("nested"), &id("MA2025RK4E639VJFZAGV"));
        let samples = [sample(0, dec!(1.80900)), sample(60, dec!(1.70000))];
        for s in &samples {
            file.append(s).unwrap();
        }
        let loaded = file.load(t(120));
        assert_eq!(loaded.samples, samples);
        assert_eq!(
            loaded.samples[0].credits.to_string(),
            "1.80900",
            "scale kept"
        );
        assert_eq!(loaded.warning, None);
    }

    #[test]
    fn old_samples_are_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        file.append(&sample(0, dec!(5))).unwrap();
        file.append(&sample(86_400, dec!(4))).unwrap();
        let loaded = file.load(t(8 * 86_400 - 10));
        assert_eq!(loaded.samples, [sample(86_400, dec!(4))]);
        let text = fs::read_to_string(file.path()).unwrap();
        assert_eq!(text.lines().count(), 2, "the file is compacted too: {text}");
        let one_day = file.clone().with_retention(SignedDuration::from_hours(24));
        assert!(
            one_day.load(t(3 * 86_400)).samples.is_empty(),
            "a shorter retention"
        );
    }

    #[test]
    fn a_damaged_file_is_set_aside_keeping_the_good_samples() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        file.append(&sample(0, dec!(5))).unwrap();
        let mut text = fs::read_to_string(file.path()).unwrap();
        text.push_str("garbage\u{0}\u{1b}[31m\n");
        text.push_str(&format_line(&sample(60, dec!(4))));
        fs::write(file.path(), text).unwrap();

        let loaded = file.load(t(120));
        assert_eq!(loaded.samples, [sample(0, dec!(5)), sample(60, dec!(4))]);
        let warning = loaded.warning.unwrap();
        assert!(warning.contains("damaged at line 3"), "{warning}");
        assert!(warning.contains("kept 2 good samples"), "{warning}");
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().any(|n| n.contains(".bad-")), "{names:?}");
        assert_eq!(
            file.load(t(120)).warning,
            None,
            "the rewritten file is clean"
        );
    }

    #[test]
    fn binary_junk_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        fs::write(file.path(), [0xff, 0xfe, 0x00, 0x41]).unwrap();
        let loaded = file.load(t(0));
        assert!(loaded.samples.is_empty());
        assert!(loaded.warning.unwrap().contains("not a plivo-dash history"));
        assert!(!file.path().exists(), "moved aside");
        fs::write(file.path(), "hello\n").unwrap();
        let loaded = file.load(t(0));
        assert!(loaded.warning.unwrap().contains("not a plivo-dash history"));
        assert!(!file.path().exists(), "moved aside");
    }

    #[test]
    fn another_accounts_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let mine = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        let theirs = HistoryFile::new(dir.path(), &id("MA0000000000000000ZZ"));
        theirs.append(&sample(0, dec!(99))).unwrap();
        fs::rename(theirs.path(), mine.path()).unwrap();
        let loaded = mine.load(t(10));
        assert!(loaded.samples.is_empty());
        assert!(loaded.warning.unwrap().contains("another account"));
    }

    #[test]
    fn two_dashboards_on_one_account_share_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        let b = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        a.append(&sample(0, dec!(5))).unwrap();
        b.append(&sample(1, dec!(5))).unwrap();
        a.append(&sample(60, dec!(4))).unwrap();
        b.append(&sample(30, dec!(4.5))).unwrap();
        b.append(&sample(60, dec!(4))).unwrap();
        let loaded = a.load(t(100));
        assert_eq!(loaded.warning, None);
        let times: Vec<i64> = loaded
            .samples
            .iter()
            .map(|s| s.at.as_second() - t(0).as_second())
            .collect();
        assert_eq!(times, [0, 1, 30, 60], "sorted, duplicates dropped");
    }

    #[test]
    fn a_retention_longer_than_the_default_keeps_older_samples() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"))
            .with_retention(SignedDuration::from_hours(30 * 24));
        for days in [20, 15, 10, 0] {
            file.append(&sample(-days * 86_400, Decimal::from(days)))
                .unwrap();
        }
        let loaded = file.load(t(60));
        assert_eq!(loaded.samples.len(), 4, "{loaded:?}");
        let text = fs::read_to_string(file.path()).unwrap();
        assert_eq!(text.lines().count(), 5, "the file keeps them too: {text}");
    }

    #[test]
    fn a_sample_from_the_future_is_dropped_not_kept_newest() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        file.append(&sample(0, dec!(5))).unwrap();
        file.append(&sample(50 * 365 * 86_400, dec!(5))).unwrap();
        let loaded = file.load(t(60));
        assert_eq!(loaded.samples, [sample(0, dec!(5))]);
        let text = fs::read_to_string(file.path()).unwrap();
        assert_eq!(text.lines().count(), 2, "and it leaves the file: {text}");
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        file.append(&sample(0, dec!(5))).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(file.path()), 0o600);
        // A rewrite (compaction) keeps it private.
        file.append(&sample(-30 * 86_400, dec!(6))).unwrap();
        file.load(t(60));
        assert_eq!(mode(file.path()), 0o600);
    }
}
