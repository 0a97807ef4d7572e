//! The README's key table is the keymap's: rendered from it here, so a key
//! changed in one place and not the other fails the build.

use plivo_dash::keymap::Keymap;

const MARKER: &str = "<!-- keys: the keymap's table (src/keymap.rs); cargo test checks it -->";

/// The table as the README must show it.
fn expected() -> String {
    let mut table = String::from("| key | does |\n|---|---|\n");
    for (keys, what) in Keymap::default().table() {
        let keys: Vec<String> = keys.split(" / ").map(|k| format!("`{k}`")).collect();
        table.push_str(&format!("| {} | {what} |\n", keys.join(" / ")));
    }
    table
}

#[test]
fn the_readme_key_table_is_the_keymaps() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find(MARKER)
        .map(|at| at + MARKER.len() + 1)
        .unwrap_or_else(|| panic!("README.md has no line {MARKER}"));
    let shown: String = readme[start..]
        .lines()
        .take_while(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect();
    let expected = expected();
    assert_eq!(
        shown, expected,
        "the README's key table differs from the keymap; it should read:\n{expected}"
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

/// The README's own `[keys]` example is a valid config.
#[test]
fn the_readme_key_example_is_valid() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme.find("```toml\n[keys]\n").expect("a [keys] example") + "```toml\n".len();
    let end = start + readme[start..].find("```").expect("its end");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("config.toml");
    std::fs::write(&file, &readme[start..end]).expect("write");
    let env = plivo_dash::config::Env {
        config_path: Some(file),
        config_named: true,
        ..plivo_dash::config::Env::default()
    };
    let settings = plivo_dash::config::resolve(&plivo_dash::cli::Global::default(), &env);
    assert!(settings.is_ok(), "{:?}", settings.err());
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
