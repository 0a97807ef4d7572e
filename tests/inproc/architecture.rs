//! docs/architecture.md's module table is the code's: every module in
//! `src` has its row, its "may call" column names exactly the modules it calls,
//! and no two modules import each other (but the pairs still being taken
//! apart, listed here, which may only shrink).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module pairs that still import each other, being taken apart. A pair
/// untangled must leave this list (the test says so), and none may join it.
const STILL_TANGLED: &[(&str, &str)] = &[];

/// Every top-level module and the top-level modules its code names.
fn calls() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut calls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).expect("under src");
            let first = relative
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .expect("a name");
            let module = first.trim_end_matches(".rs").to_owned();
            if module == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            // A module's unit tests may use anything.
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
            let named = calls.entry(module.clone()).or_default();
            let prefix = if module == "main" {
                "plivo_dash::"
            } else {
                "crate::"
            };
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (at, _) in line.match_indices(prefix) {
                    let rest = &line[at + prefix.len()..];
                    let names: Vec<&str> = match rest.strip_prefix('{') {
                        Some(group) => group
                            .split('}')
                            .next()
                            .unwrap_or("")
                            .split(',')
                            .map(str::trim)
                            .collect(),
                        None => vec![rest],
                    };
                    for name in names {
                        let top: String = name
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if !top.is_empty() && top != module && top != "self" {
                            named.insert(top);
                        }
                    }
                }
            }
        }
    }
    calls
}

/// The table's rows: each module and the modules it may call.
fn table() -> BTreeMap<String, BTreeSet<String>> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .expect("docs/architecture.md");
    let mut rows = BTreeMap::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(name), Some(may)) = (cells.get(1), cells.get(3)) else {
            continue;
        };
        let may: BTreeSet<String> = may
            .split('`')
            .skip(1)
            .step_by(2)
            .filter_map(|quoted| quoted.split("::").next())
            .map(str::to_owned)
            .collect();
        rows.insert(name.trim_matches('`').to_owned(), may);
    }
    rows
}

#[test]
fn every_module_has_a_row_and_calls_only_what_its_row_says() {
    let calls = calls();
    let table = table();
    let mut wrong = Vec::new();
    for (module, named) in &calls {
        let Some(may) = table.get(module) else {
            wrong.push(format!("`{module}` has no row"));
            continue;
        };
        for callee in named.iter().filter(|c| calls.contains_key(*c)) {
            if !may.contains(callee) {
                wrong.push(format!("`{module}` calls `{callee}`, not in its row"));
            }
        }
        for listed in may.iter().filter(|m| calls.contains_key(*m)) {
            if !named.contains(listed) {
                wrong.push(format!(
                    "`{module}`'s row lists `{listed}`, which it never calls"
                ));
            }
        }
    }
    for module in table.keys().filter(|m| !calls.contains_key(*m)) {
        wrong.push(format!("the row `{module}` names no module in src"));
    }
    assert!(
        wrong.is_empty(),
        "docs/architecture.md:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_modules_import_each_other() {
    let calls = calls();
    let mut tangled = BTreeSet::new();
    for (module, named) in &calls {
        for callee in named {
            if module < callee && calls.get(callee).is_some_and(|back| back.contains(module)) {
                tangled.insert((module.clone(), callee.clone()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = STILL_TANGLED
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    let new: Vec<_> = tangled.difference(&listed).collect();
    assert!(new.is_empty(), "modules that import each other: {new:?}");
    let untangled: Vec<_> = listed.difference(&tangled).collect();
    assert!(
        untangled.is_empty(),
        "untangled (take them off STILL_TANGLED): {untangled:?}"
    );
}
