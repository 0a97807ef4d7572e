//! The documents say what the code does: docs/keys.md's key table is the
//! keymap's (rendered from it here, so a key changed in one place and not
//! the other fails the build), and the README is a short front door whose
//! links to the reference in docs/ lead somewhere.

use plivo_dash::keymap::Keymap;

const MARKER: &str = "<!-- keys: the keymap's table (src/keymap.rs); cargo test checks it -->";

/// The table as docs/keys.md must show it.
fn expected() -> String {
    let mut table = String::from("| key | does |\n|---|---|\n");
    for (keys, what) in Keymap::default().table() {
        let keys: Vec<String> = keys.split(" / ").map(|k| format!("`{k}`")).collect();
        table.push_str(&format!("| {} | {what} |\n", keys.join(" / ")));
    }
    table
}

#[test]
fn the_key_table_is_the_keymaps() {
    let keys = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md"))
        .expect("docs/keys.md");
    let start = keys
        .find(MARKER)
        .map(|at| at + MARKER.len() + 1)
        .unwrap_or_else(|| panic!("docs/keys.md has no line {MARKER}"));
    let shown: String = keys[start..]
        .lines()
        .take_while(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect();
    let expected = expected();
    assert_eq!(
        shown, expected,
        "docs/keys.md's key table differs from the keymap; it should read:\n{expected}"
    );
}

/// Every module in `src/` is named in docs/architecture.md's table, so the
/// map cannot fall behind the code.
#[test]
fn the_architecture_names_every_module() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/architecture.md"))
        .expect("docs/architecture.md");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&src).expect("src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if name == "lib" {
            continue;
        }
        if !doc.contains(&format!("| `{name}` |")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/architecture.md: {missing:?}"
    );
}

/// docs/keys.md's own `[keys]` example is a valid config.
#[test]
fn the_key_example_is_valid() {
    let keys = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md"))
        .expect("docs/keys.md");
    let start = keys.find("```toml\n[keys]\n").expect("a [keys] example") + "```toml\n".len();
    let end = start + keys[start..].find("```").expect("its end");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    std::fs::write(&file, &keys[start..end]).expect("write");
    let env = plivo_dash::config::Env {
        config_path: Some(file),
        config_named: true,
        ..plivo_dash::config::Env::default()
    };
    let settings = plivo_dash::config::resolve(&plivo_dash::cli::Global::default(), &env);
    assert!(settings.is_ok(), "{:?}", settings.err());
}

/// The example config the package installs (assets/config.example.toml)
/// is a valid config file: both its profiles, no warning.
#[test]
fn the_example_config_is_valid() {
    let env = plivo_dash::config::Env {
        config_path: Some(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/config.example.toml"),
        ),
        config_named: true,
        ..plivo_dash::config::Env::default()
    };
    let all = plivo_dash::config::resolve_all(&plivo_dash::cli::Global::default(), &env)
        .unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = all.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["default", "staging"]);
    for (name, settings) in &all {
        assert!(
            settings.warnings.is_empty(),
            "{name}: {:?}",
            settings.warnings
        );
    }
}

/// The repository stands alone: no source or test points at a design
/// document that is not in it, and no scratch script sits at the root.
#[test]
fn the_docs_referred_to_are_in_the_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing = concat!("DESIGN", ".md");
    assert!(!root.join(missing).exists() || root.join("docs").join(missing).exists());
    let mut stack = vec![root.join("src"), root.join("tests")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("utf-8");
                assert!(
                    !text.contains(missing),
                    "{} names {missing}",
                    path.display()
                );
            }
        }
    }
    assert!(
        !root.join("kc2.sh").exists(),
        "a scratch script at the root"
    );
}

/// The README stays a front door: short, with the two commands a newcomer
/// types, and a link to each reference document in docs/.
#[test]
fn the_readme_is_a_front_door() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let lines = readme.lines().count();
    assert!(
        lines < 250,
        "README.md has {lines} lines; reference belongs in docs/"
    );
    for command in ["cargo run --release -- --demo", "cargo test"] {
        assert!(readme.contains(command), "README.md lacks `{command}`");
    }
    for doc in [
        "dashboard",
        "keys",
        "configuration",
        "scripting",
        "exporter",
        "sandbox",
    ] {
        assert!(
            readme.contains(&format!("](docs/{doc}.md")),
            "README.md does not link docs/{doc}.md"
        );
    }
}

/// Every relative link in README.md and docs/*.md names a file that exists,
/// so moving a document cannot leave a link behind.
#[test]
fn the_documents_links_lead_somewhere() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut documents = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs"))
        .expect("docs")
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "md") {
            documents.push(entry.path());
        }
    }
    let mut broken = Vec::new();
    for document in &documents {
        let text = std::fs::read_to_string(document).expect("utf-8");
        let dir = document.parent().expect("a directory");
        for (at, _) in text.match_indices("](") {
            let rest = &text[at + 2..];
            let target = &rest[..rest.find(')').unwrap_or(rest.len())];
            let file = target.split('#').next().unwrap_or_default();
            if file.is_empty() || file.contains("://") {
                continue;
            }
            if !dir.join(file).exists() {
                broken.push(format!("{}: {target}", document.display()));
            }
        }
    }
    assert!(broken.is_empty(), "links to nothing: {broken:#?}");
}
