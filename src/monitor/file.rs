//! The old credit history files: one per account in the XDG state
//! directory, as plivo-dash kept them before the store. They are only read
//! now, once, to move them into the store (`store::CreditHistory`), or to
//! show them when the store cannot be opened.
//!
//! Format: a header line naming the account, then one `TIMESTAMP CREDITS`
//! line per sample, appended by every dashboard on the account; reading
//! sorts and de-duplicates.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;

use crate::monitor::{RETENTION, Sample};
use crate::plivo::AuthId;

const HEADER: &str = "# plivo-dash credit history v1";
/// How far ahead of the clock a sample may be and still be believed.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// What parsing a history's text found.
struct Parsed {
    samples: Vec<Sample>,
    problem: Option<String>,
}

/// The history file of one account.
#[derive(Debug, Clone)]
pub struct HistoryFile {
    path: PathBuf,
    auth_id: AuthId,
    retention: SignedDuration,
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

    /// The good samples on disk, without touching the file, with what is
    /// wrong with it if anything ("is damaged at line 3": the file's path
    /// is the caller's to add). `Err` says why it could not be read.
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
        Ok((parsed.samples, parsed.problem))
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
        // A sample from the future (a clock that was wrong) would sit
        // newest forever and stop every new one being stored. Every sample
        // inside the retention is kept, however many: the memory's cap is
        // the series', not the store's.
        samples.retain(|s| now.duration_since(s.at) <= self.retention && s.at <= now + CLOCK_SKEW);
        samples.sort_by_key(|s| s.at);
        samples.dedup_by_key(|s| s.at);
        Parsed { samples, problem }
    }
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

    /// The file as the dashboard appended it before the store.
    fn write(file: &HistoryFile, samples: &[Sample]) {
        let mut text = format!("{}\n", file.header());
        for s in samples {
            text.push_str(&format!("{} {}\n", s.at, s.credits));
        }
        fs::write(file.path(), text).unwrap();
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        let samples = [sample(0, dec!(1.80900)), sample(60, dec!(1.70000))];
        write(&file, &samples);
        let (read, problem) = file.read(t(120)).unwrap();
        assert_eq!(read, samples);
        assert_eq!(read[0].credits.to_string(), "1.80900", "scale kept");
        assert_eq!(problem, None);
    }

    #[test]
    fn a_missing_file_is_no_samples_and_no_problem() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        assert_eq!(file.read(t(0)).unwrap(), (Vec::new(), None));
    }

    #[test]
    fn old_samples_are_left_out_and_the_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        write(&file, &[sample(0, dec!(5)), sample(86_400, dec!(4))]);
        let before = fs::read(file.path()).unwrap();
        let (read, _) = file.read(t(8 * 86_400 - 10)).unwrap();
        assert_eq!(read, [sample(86_400, dec!(4))]);
        assert_eq!(fs::read(file.path()).unwrap(), before, "only read");
        let one_day = file.clone().with_retention(SignedDuration::from_hours(24));
        assert!(
            one_day.read(t(3 * 86_400)).unwrap().0.is_empty(),
            "a shorter retention"
        );
    }

    #[test]
    fn a_damaged_file_gives_its_good_samples_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        write(&file, &[sample(0, dec!(5))]);
        let mut text = fs::read_to_string(file.path()).unwrap();
        text.push_str("garbage\u{0}\u{1b}[31m\n");
        text.push_str(&format!("{} 4\n", t(60)));
        fs::write(file.path(), text).unwrap();
        let (read, problem) = file.read(t(120)).unwrap();
        assert_eq!(read, [sample(0, dec!(5)), sample(60, dec!(4))]);
        assert_eq!(problem.as_deref(), Some("is damaged at line 3"));
    }

    #[test]
    fn binary_junk_is_not_a_history() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        fs::write(file.path(), [0xff, 0xfe, 0x00, 0x41]).unwrap();
        let (read, problem) = file.read(t(0)).unwrap();
        assert!(read.is_empty());
        assert_eq!(problem.as_deref(), Some("is not a plivo-dash history"));
        fs::write(file.path(), "hello\n").unwrap();
        let (_, problem) = file.read(t(0)).unwrap();
        assert_eq!(problem.as_deref(), Some("is not a plivo-dash history"));
    }

    #[test]
    fn another_accounts_file_gives_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mine = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        let theirs = HistoryFile::new(dir.path(), &id("MA0000000000000000ZZ"));
        write(&theirs, &[sample(0, dec!(99))]);
        fs::rename(theirs.path(), mine.path()).unwrap();
        let (read, problem) = mine.read(t(10)).unwrap();
        assert!(read.is_empty());
        assert_eq!(problem.as_deref(), Some("belongs to another account"));
    }

    #[test]
    fn two_dashboards_appends_are_sorted_and_deduplicated() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        write(
            &file,
            &[
                sample(0, dec!(5)),
                sample(1, dec!(5)),
                sample(60, dec!(4)),
                sample(30, dec!(4.5)),
                sample(60, dec!(4)),
            ],
        );
        let (read, problem) = file.read(t(100)).unwrap();
        assert_eq!(problem, None);
        let times: Vec<i64> = read
            .iter()
            .map(|s| s.at.as_second() - t(0).as_second())
            .collect();
        assert_eq!(times, [0, 1, 30, 60], "sorted, duplicates dropped");
    }

    #[test]
    fn every_sample_inside_the_retention_is_read_however_many() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"))
            .with_retention(SignedDuration::from_hours(30 * 24));
        let many = crate::monitor::MAX_SAMPLES + 10;
        let samples: Vec<Sample> = (0..i64::try_from(many).unwrap())
            .map(|i| sample(-20 * 86_400 + i, Decimal::from(i)))
            .collect();
        write(&file, &samples);
        let (read, _) = file.read(t(60)).unwrap();
        assert_eq!(read.len(), many, "not capped as the memory is");
    }

    #[test]
    fn a_sample_from_the_future_is_dropped_not_kept_newest() {
        let dir = tempfile::tempdir().unwrap();
        let file = HistoryFile::new(dir.path(), &id("MA2025RK4E639VJFZAGV"));
        write(
            &file,
            &[sample(0, dec!(5)), sample(50 * 365 * 86_400, dec!(5))],
        );
        assert_eq!(file.read(t(60)).unwrap().0, [sample(0, dec!(5))]);
    }
}
