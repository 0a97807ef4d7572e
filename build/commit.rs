//! The commit a build is made from, for `plivo-dash --version`: read by
//! build.rs, and tested in tests/external/package.rs. A build must never
//! fail for want of it: a crate from crates.io, a tarball or a machine
//! without git says "unknown".

use std::path::{Path, PathBuf};
use std::process::Command;

/// What `--version` says when the commit cannot be known.
pub const UNKNOWN: &str = "unknown";

/// Hex digits of the commit said: as `git log --oneline` would, with room
/// for a large history.
const SHORT: usize = 12;

/// The commit the crate in `dir` is built from: HEAD, when `dir` is the top
/// of a git work tree (not merely inside one: a crate unpacked into another
/// project's checkout is not that project's commit); else the one
/// `cargo package` recorded in `.cargo_vcs_info.json`; else [`UNKNOWN`].
pub fn commit(dir: &Path) -> String {
    head(dir)
        .or_else(|| packaged(dir))
        .unwrap_or_else(|| UNKNOWN.to_owned())
}

/// The files whose change means HEAD moved: HEAD itself and the branch it
/// points to, wherever this work tree keeps them. Only files that exist, as
/// cargo would rerun the build script each time for one that does not.
pub fn watched(dir: &Path) -> Vec<PathBuf> {
    if head(dir).is_none() {
        return vec![dir.join(".cargo_vcs_info.json")]
            .into_iter()
            .filter(|p| p.is_file())
            .collect();
    }
    let mut paths = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        paths.push(branch);
    }
    paths
        .iter()
        .filter_map(|name| git(dir, &["rev-parse", "--git-path", name]))
        .map(|path| dir.join(path))
        .filter(|path| path.is_file())
        .collect()
}

/// HEAD's commit, if `dir` is the top of a git work tree.
fn head(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = std::fs::canonicalize(&top).ok()? == std::fs::canonicalize(dir).ok()?;
    if !same {
        return None;
    }
    short(&git(dir, &["rev-parse", "HEAD"])?)
}

/// The commit in `.cargo_vcs_info.json`: `{"git": {"sha1": "…"}, …}`.
fn packaged(dir: &Path) -> Option<String> {
    let info = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let after = &info[info.find("\"sha1\"")? + "\"sha1\"".len()..];
    let value = after.trim_start().strip_prefix(':')?.trim_start();
    let value = value.strip_prefix('"')?;
    short(&value[..value.find('"')?])
}

/// The first [`SHORT`] digits of a full commit id; `None` for anything else.
fn short(id: &str) -> Option<String> {
    let id = id.trim();
    (id.len() >= SHORT && id.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| id[..SHORT].to_ascii_lowercase())
}

/// git's answer, trimmed; `None` if git is missing or refuses.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}
