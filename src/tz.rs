//! IANA time zone names, from the database jiff bundles (never a hand-typed list).

/// Whether `name` is a time zone in the IANA database, spelled exactly.
pub(crate) fn is_valid(name: &str) -> bool {
    // jiff looks names up case-insensitively; the API wants the exact spelling.
    jiff::tz::db()
        .get(name)
        .is_ok_and(|zone| zone.iana_name() == Some(name))
}

/// Every zone name in the database, sorted, each with its lower-case form
/// for matching. Read once: the timezone field asks on every key and frame.
fn names() -> &'static [(String, String)] {
    static NAMES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut all: Vec<(String, String)> = jiff::tz::db()
            .available()
            .map(|n| (n.as_str().to_ascii_lowercase(), n.as_str().to_owned()))
            .collect();
        all.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        all
    })
}

/// Up to `limit` zone names that match what was typed: names starting with
/// it first, then names containing it, case-insensitively.
pub fn suggestions(typed: &str, limit: usize) -> Vec<String> {
    let needle = typed.trim().to_ascii_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let starting = names()
        .iter()
        .filter(|(lower, _)| lower.starts_with(&needle));
    let containing = names()
        .iter()
        .filter(|(lower, _)| !lower.starts_with(&needle) && lower.contains(&needle));
    starting
        .chain(containing)
        .take(limit)
        .map(|(_, name)| name.clone())
        .collect()
}

/// How many zone names match what was typed, all told: what is left
/// unsaid when [`suggestions`] is cut at its limit.
pub fn matching(typed: &str) -> usize {
    let needle = typed.trim().to_ascii_lowercase();
    if needle.is_empty() {
        return 0;
    }
    names()
        .iter()
        .filter(|(lower, _)| lower.contains(&needle))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_real_zones_and_refuses_others() {
        assert!(is_valid("America/New_York"));
        assert!(is_valid("Asia/Kolkata"));
        assert!(is_valid("UTC"));
        assert!(!is_valid("Mars/Olympus_Mons"));
        assert!(!is_valid(""));
        assert!(!is_valid("america/new_york"), "names are case-sensitive");
    }

    #[test]
    fn suggests_prefix_matches_first() {
        let s = suggestions("europe/par", 5);
        assert_eq!(s.first().map(String::as_str), Some("Europe/Paris"));
        let s = suggestions("york", 5);
        assert!(s.contains(&"America/New_York".to_owned()), "{s:?}");
        assert!(suggestions("", 5).is_empty());
    }
}
