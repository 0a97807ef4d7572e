//! Installed like a real tool: the man pages (one per command, from the clap
//! definitions), `--version` naming the commit, the Debian package built by
//! `.ci/package` (listed, unpacked into a temporary root and run from
//! there), and the binary `cargo install` put in a temporary root. The last
//! two need a release build, so `cargo test` alone skips them aloud;
//! `.ci/run` builds both and names them in PLIVO_DASH_DEB and
//! PLIVO_DASH_INSTALLED.

use crate::support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clap::CommandFactory as _;
use plivo_dash::cli::{Cli, VERSION};

#[path = "../../build/commit.rs"]
mod commit;

/// The page every visible command should have: `plivo-dash.1`,
/// `plivo-dash-get.1`, `plivo-dash-usage-sync.1` …
fn pages_expected() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, name: &str, pages: &mut BTreeSet<String>) {
        pages.insert(format!("{name}.1"));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, &format!("{name}-{}", sub.get_name()), pages);
        }
    }
    let mut pages = BTreeSet::new();
    walk(&Cli::command(), "plivo-dash", &mut pages);
    pages
}

/// `command`'s output, which must be a success.
fn ran(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A man page rendered as text by man-db, or `None` (said) without `man`.
fn rendered(page: &Path) -> Option<String> {
    let man = support::installed("man", "man -l on a page", "apt-get install man-db")?;
    let output = ran(Command::new(man)
        .arg("-l")
        .arg(page)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("LC_ALL", "C.UTF-8"));
    Some(stdout(&output))
}

#[test]
fn every_command_has_a_man_page_that_man_renders() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    ran(Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .arg("man")
        .arg(&out));
    let written: BTreeSet<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected = pages_expected();
    assert!(
        expected.contains("plivo-dash-usage-sync.1") && expected.contains("plivo-dash-get.1"),
        "{expected:?}"
    );
    assert!(
        !written.contains("plivo-dash-man.1"),
        "the hidden command has none"
    );
    assert_eq!(written, expected, "one page per command, no more");
    let page = std::fs::read_to_string(out.join("plivo-dash-exporter.1")).unwrap();
    assert!(page.contains(VERSION), "the page names its build: {page}");

    let Some(text) = rendered(&out.join("plivo-dash-exporter.1")) else {
        return;
    };
    for wanted in [
        "NAME",
        "plivo-dash-exporter",
        "Serve Prometheus metrics",
        "--listen",
    ] {
        assert!(text.contains(wanted), "{wanted} in:\n{text}");
    }
}

#[test]
fn a_man_page_directory_that_cannot_be_made_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .arg("man")
        .arg(file.join("man1"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6), "Exit::Output");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("cannot write the man pages"), "{said}");
    // A file where the directory should be is named as what it is.
    let output = Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .arg("man")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6), "Exit::Output");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("it is not a directory"), "{said}");
}

/// The commit this checkout's HEAD is, when it is the top of a git work tree.
fn head() -> Option<String> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let top = Command::new("git")
        .args(["-C", dir, "rev-parse", "--show-toplevel"])
        .output()
        .ok()?;
    let top = String::from_utf8(top.stdout).ok()?;
    if std::fs::canonicalize(top.trim()).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    let head = Command::new("git")
        .args(["-C", dir, "rev-parse", "HEAD"])
        .output()
        .ok()?;
    Some(String::from_utf8(head.stdout).ok()?.trim()[..12].to_owned())
}

#[test]
fn version_says_the_version_and_the_commit() {
    let output = ran(Command::new(env!("CARGO_BIN_EXE_plivo-dash")).arg("--version"));
    // Without a git checkout (a crate tarball), what build.rs falls back to.
    let commit = head().unwrap_or_else(|| commit::commit(Path::new(env!("CARGO_MANIFEST_DIR"))));
    assert_eq!(
        stdout(&output),
        format!(
            "plivo-dash {} (commit {commit})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// A build from a crate tarball (no .git) says "unknown", or the commit
/// `cargo package` recorded; one unpacked inside another project's checkout
/// does not take that project's commit.
#[test]
fn the_commit_without_git_history_is_unknown_or_the_packaged_one() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(commit::commit(dir.path()), commit::UNKNOWN);
    assert!(commit::watched(dir.path()).is_empty());

    let info = dir.path().join(".cargo_vcs_info.json");
    std::fs::write(
        &info,
        "{\n  \"git\": {\n    \"sha1\": \"0123456789abcdef0123456789abcdef01234567\"\n  },\n  \"path_in_vcs\": \"\"\n}",
    )
    .unwrap();
    assert_eq!(commit::commit(dir.path()), "0123456789ab");
    assert_eq!(commit::watched(dir.path()), std::slice::from_ref(&info));
    std::fs::write(&info, "{\"git\": {\"sha1\": \"not a commit\"}}").unwrap();
    assert_eq!(commit::commit(dir.path()), commit::UNKNOWN);

    let Some(git) = support::installed(
        "git",
        "a crate inside another checkout",
        "apt-get install git",
    ) else {
        return;
    };
    let outer = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        ran(Command::new(&git)
            .arg("-C")
            .arg(outer.path())
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t.invalid"))
    };
    git(&["init", "-q"]);
    git(&["commit", "-q", "--allow-empty", "-m", "outer"]);
    let outer_head = stdout(&git(&["rev-parse", "HEAD"]));
    assert_eq!(commit::commit(outer.path()), outer_head.trim()[..12]);
    assert!(
        commit::watched(outer.path())
            .iter()
            .any(|p| p.ends_with("HEAD")),
        "{:?}",
        commit::watched(outer.path())
    );
    let unpacked = outer.path().join("vendor/plivo-dash");
    std::fs::create_dir_all(&unpacked).unwrap();
    assert_eq!(commit::commit(&unpacked), commit::UNKNOWN);
}

/// The path an environment variable set by `.ci/run` names, or `None`,
/// said aloud. In CI a missing one fails, unless `needs` is not installed.
fn built_by_ci(var: &str, what: &str, needs: Option<&str>) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path));
    }
    let missing_tool = needs.is_some_and(|tool| {
        support::installed(tool, what, &format!("apt-get install {tool}")).is_none()
    });
    if missing_tool {
        return None;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{what}: CI must build it and name it in {var} (.ci/run)"
    );
    eprintln!("skipped: {what}: {var} names none (.ci/run builds it: it needs a release build)");
    None
}

#[test]
fn the_debian_package_installs_a_working_tool() {
    let Some(deb) = built_by_ci("PLIVO_DASH_DEB", "the Debian package", Some("dpkg-deb")) else {
        return;
    };
    let listing = stdout(&ran(Command::new("dpkg-deb").arg("-c").arg(&deb)));
    let modes: Vec<(&str, &str)> = listing
        .lines()
        .filter_map(|l| Some((l.split_whitespace().next()?, l.split_whitespace().last()?)))
        .collect();
    let mode = |path: &str| {
        modes
            .iter()
            .find(|(_, p)| *p == path)
            .map(|(m, _)| *m)
            .unwrap_or_else(|| panic!("{path} is not in the package:\n{listing}"))
    };
    assert_eq!(mode("./usr/bin/plivo-dash"), "-rwxr-xr-x");
    for page in pages_expected() {
        mode(&format!("./usr/share/man/man1/{page}.gz"));
    }
    for file in [
        "./usr/share/bash-completion/completions/plivo-dash",
        "./usr/share/zsh/vendor-completions/_plivo-dash",
        "./usr/share/fish/vendor_completions.d/plivo-dash.fish",
        "./usr/lib/systemd/system/plivo-dash-exporter.service",
        "./usr/share/plivo-dash/config.example.toml",
        "./usr/share/plivo-dash/prometheus/plivo-dash.rules.yml",
        "./usr/share/plivo-dash/prometheus/prometheus.yml",
        "./usr/share/plivo-dash/grafana/plivo-dash.json",
        "./usr/share/doc/plivo-dash/README.md",
        "./usr/share/doc/plivo-dash/docs/exporter.md",
    ] {
        assert_eq!(mode(file), "-rw-r--r--", "{file}");
    }
    assert_eq!(
        mode("./etc/plivo-dash/exporter.env"),
        "-rw-------",
        "the token's file, root's alone"
    );

    // Its control files: a conffile the upgrade keeps, a unit left alone.
    let control = tempfile::tempdir().unwrap();
    ran(Command::new("dpkg-deb")
        .arg("-e")
        .arg(&deb)
        .arg(control.path()));
    let conffiles = std::fs::read_to_string(control.path().join("conffiles")).unwrap();
    assert!(
        conffiles
            .lines()
            .any(|l| l == "/etc/plivo-dash/exporter.env"),
        "{conffiles}"
    );
    let postinst = std::fs::read_to_string(control.path().join("postinst")).unwrap();
    assert!(postinst.contains("daemon-reload"), "{postinst}");
    // Installing neither enables nor starts the exporter (its token is not
    // set yet); an upgrade keeps it enabled only if it was, and restarts it
    // only if it runs.
    let said = format!("a fresh install would start or enable it:\n{postinst}");
    assert!(!postinst.contains("invoke start"), "{said}");
    for (at, _) in postinst.match_indices("deb-systemd-helper enable") {
        assert!(postinst[..at].contains("was-enabled"), "{said}");
    }
    let fields = stdout(&ran(Command::new("dpkg-deb").arg("-f").arg(&deb)));
    assert!(fields.contains("Package: plivo-dash\n"), "{fields}");
    assert!(fields.contains("Depends: libc6"), "{fields}");

    // Unpacked into a temporary root and run from there.
    let root = tempfile::tempdir().unwrap();
    ran(Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(root.path()));
    let bin = root.path().join("usr/bin/plivo-dash");
    let version = stdout(&ran(Command::new(&bin).arg("--version")));
    assert!(
        version.starts_with(&format!(
            "plivo-dash {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{version}"
    );
    let help = stdout(&ran(Command::new(&bin).arg("--help")));
    assert!(
        help.contains("exporter") && help.contains("Commands:"),
        "{help}"
    );
    if let Some(bash) = support::installed("bash", "the bash completion", "apt-get install bash") {
        // Sourced as bash-completion would: it completes plivo-dash.
        let script = root
            .path()
            .join("usr/share/bash-completion/completions/plivo-dash");
        let said = stdout(&ran(Command::new(bash)
            .arg("-c")
            .arg("source \"$1\" && complete -p plivo-dash")
            .arg("bash")
            .arg(&script)));
        assert!(said.trim_end().ends_with(" plivo-dash"), "{said}");
    }
    if let Some(text) = rendered(&root.path().join("usr/share/man/man1/plivo-dash-check.1.gz")) {
        assert!(
            text.contains("plivo-dash-check") && text.contains("Nagios"),
            "{text}"
        );
    }
    let unit = std::fs::read_to_string(
        root.path()
            .join("usr/lib/systemd/system/plivo-dash-exporter.service"),
    )
    .unwrap();
    assert_eq!(
        unit,
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/systemd/plivo-dash-exporter.service"
        ))
        .unwrap(),
        "the unit shipped is the one tested in deploy.rs"
    );
    if let Some(analyze) = support::installed(
        "systemd-analyze",
        "systemd-analyze verify on the packaged unit",
        "apt-get install systemd",
    ) {
        let dir = tempfile::tempdir().unwrap();
        let file = crate::deploy::unit_running(&unit, &bin.to_string_lossy(), dir.path());
        crate::deploy::verify(&analyze, &file);
    }
}

#[test]
fn the_binary_cargo_install_put_in_a_temporary_root_runs() {
    let Some(bin) = built_by_ci(
        "PLIVO_DASH_INSTALLED",
        "cargo install from a fresh clone",
        None,
    ) else {
        return;
    };
    let version = stdout(&ran(Command::new(&bin).arg("--version")));
    assert!(version.starts_with("plivo-dash "), "{version}");
    let sandbox = support::TestSandbox::start();
    let home = tempfile::tempdir().unwrap();
    let output = ran(Command::new(&bin)
        .args(["get", "--json"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .envs(sandbox.env()));
    let account: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(account["auth_id"], sandbox.handle.auth_id.as_str());
}
