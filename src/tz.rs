//! IANA time zone names, from the database jiff bundles (never a hand-typed list).

/// Whether `name` is a time zone in the IANA database, spelled exactly.
pub fn is_valid(name: &str) -> bool {
    // jiff looks names up case-insensitively; the API wants the exact spelling.
    jiff::tz::db()
        .get(name)
        .is_ok_and(|zone| zone.iana_name() == Some(name))
}

/// Every zone name in the database, sorted.
pub fn names() -> impl Iterator<Item = String> {
    let mut all: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .collect();
    all.sort_unstable();
    all.into_iter()
}

/// Up to `limit` zone names that match what was typed: names starting with
/// it first, then names containing it, case-insensitively.
pub fn suggestions(typed: &str, limit: usize) -> Vec<String> {
    let needle = typed.trim().to_ascii_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let (mut starts, mut contains): (Vec<String>, Vec<String>) = names()
        .filter(|n| n.to_ascii_lowercase().contains(&needle))
        .partition(|n| n.to_ascii_lowercase().starts_with(&needle));
    starts.append(&mut contains);
    starts.truncate(limit);
    starts
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
