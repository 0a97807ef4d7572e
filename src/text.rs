//! Neutralising untrusted text before it reaches a terminal.
//!
//! Names, cities and error messages come from the network. A raw ESC, an OSC
//! title sequence or a bidi override in them could rewrite the user's terminal
//! or make one string look like another, so everything the API says passes
//! through [`sanitize`] before it is printed or drawn.

/// Text that is safe to draw: made from outside text once, where it
/// arrives, through [`sanitize`], or from a literal in this program. The
/// drawing code takes API text only in this form, so a value that skipped
/// neutralising cannot reach the terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct SafeText(String);

impl SafeText {
    /// `untrusted` neutralised (see [`sanitize`]).
    pub fn new(untrusted: &str) -> Self {
        Self(sanitize(untrusted))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&'static str> for SafeText {
    /// A literal of this program's own: safe as written.
    fn from(literal: &'static str) -> Self {
        Self(literal.to_owned())
    }
}

impl std::fmt::Display for SafeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for SafeText {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SafeText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The longest text kept from a single untrusted value, in characters.
pub const MAX_CHARS: usize = 512;

/// Returns `s` with every control character, escape introducer and bidi
/// formatting character replaced by a visible stand-in, and cut to
/// [`MAX_CHARS`] characters (marked with an ellipsis).
///
/// C0 controls become their Unicode control pictures (ESC shows as ␛, NUL
/// as ␀), so the user can see what was there; C1 controls and bidi
/// formatting become `?`. Every stand-in is one column wide everywhere,
/// unlike U+FFFD, which some terminals drop.
///
/// Printable text, accents, CJK and emoji pass unchanged.
pub(crate) fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_CHARS * 4));
    for (i, c) in s.chars().enumerate() {
        if i == MAX_CHARS {
            out.push('…');
            break;
        }
        out.push(if is_unsafe(c) { stand_in(c) } else { c });
    }
    out
}

/// `s` as it is drawn: neutralised like [`sanitize`] (each unsafe
/// character becomes a one-column stand-in), and without zero-width
/// joiners, so every terminal agrees on its width. Joined, `👩‍👩‍👧` is one
/// two-column character to ratatui and to some terminals, and three (six
/// columns) to others, tmux and xterm among them; the disagreement shifts
/// the rest of the line and the cursor. Unjoined, it is three emoji
/// everywhere. Only what is drawn changes: the text itself, as typed or as
/// the server has it, is kept as it is.
pub(crate) fn drawable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| c == ZWJ || is_unsafe(c)) {
        s.chars()
            .filter(|c| *c != ZWJ)
            .map(|c| if is_unsafe(c) { stand_in(c) } else { c })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// Pasted text as a one-line field takes it: each line break (CRLF, CR or
/// LF) and tab becomes one space, whole escape sequences (CSI such as
/// colours, OSC such as titles and links, DCS and the other string
/// sequences, two-character ones) are removed, and the other characters
/// [`is_unsafe`] names are dropped. Dropping only the ESC would leave
/// `[31m` as text; a CRLF kept as two characters would be two spaces.
pub fn pasted(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        loop {
            let c = chars.next()?;
            match c {
                '\r' => {
                    chars.next_if_eq(&'\n');
                    return Some(' ');
                }
                '\n' | '\t' => return Some(' '),
                ESC => skip_escape(&mut chars),
                // The one-character (C1) forms of CSI, DCS, SOS, OSC, PM, APC.
                '\u{9b}' => skip_csi(&mut chars),
                '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
                c if is_unsafe(c) => {}
                c => return Some(c),
            }
        }
    })
}

const ESC: char = '\u{1b}';

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Skips what follows an ESC: the rest of its sequence.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        // ESC, intermediates (space to `/`), one final character.
        Some(_) => {
            while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
            chars.next_if(|c| matches!(c, '0'..='~'));
        }
        None => {}
    }
}

/// Skips a CSI's parameters and intermediates and its final character
/// (`@` to `~`); anything else ends it early, and is kept.
fn skip_csi(chars: &mut Chars<'_>) {
    while chars
        .next_if(|c| matches!(c, '0'..='?' | ' '..='/'))
        .is_some()
    {}
    chars.next_if(|c| matches!(c, '@'..='~'));
}

/// Skips a string sequence (OSC, DCS…) to its end: BEL, ST (`ESC \\` or
/// U+009C), or the end of the paste.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            ESC => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

const ZWJ: char = '\u{200D}';

/// Whether `typed` names something called `name`: as stored, or as it is
/// shown (a name with control or bidi characters, or joined emoji, is shown
/// neutralised, and a person types what they see). Used where deleting
/// asks for the name.
pub(crate) fn names_match(typed: &str, name: &str) -> bool {
    let typed = typed.trim();
    !typed.is_empty()
        && (typed == name.trim()
            || typed == drawable(name).trim()
            || typed == sanitize(name).trim())
}

fn stand_in(c: char) -> char {
    match c {
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
        '\u{7f}' => '\u{2421}',
        _ => '?',
    }
}

/// Control characters (C0, DEL, C1), the Unicode bidi controls that can
/// reorder what the user sees, and the invisible characters that make two
/// strings look alike (zero-width space, word joiner, byte-order mark).
/// Joiners that scripts and emoji need (U+200C, U+200D) are not among them.
pub(crate) fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Text as the filter compares it: composed (NFC: "é" typed as one
/// character matches "e" with a combining accent) and lower-cased.
pub(crate) fn searchable(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    text.nfc().collect::<String>().to_lowercase()
}

/// Orders names as people do: case aside, and runs of digits by their
/// value, so `sandbox2` comes before `sandbox10`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars().flat_map(char::to_lowercase) {
            let digit = c.is_ascii_digit();
            match out.last_mut() {
                Some((d, run)) if *d == digit => run.push(c),
                _ => out.push((digit, c.to_string())),
            }
        }
        out
    }
    let (ra, rb) = (runs(a), runs(b));
    for ((da, x), (db, y)) in ra.iter().zip(&rb) {
        let order = if *da && *db {
            let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        } else {
            x.cmp(y)
        };
        if order.is_ne() {
            return order;
        }
    }
    ra.len().cmp(&rb.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_as_people_read_them() {
        let mut names = vec![
            "sandbox10",
            "Sandbox2",
            "sandbox1",
            "alpha",
            "sandbox100",
            "sandbox02",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "alpha",
                "sandbox1",
                "Sandbox2",
                "sandbox02",
                "sandbox10",
                "sandbox100"
            ]
        );
    }

    #[test]
    fn keeps_printable_text_of_any_script() {
        let s = "Zoë Ångström 東京 🦇 O'Brien & Co.";
        assert_eq!(sanitize(s), s);
    }

    #[test]
    fn neutralises_escapes_controls_and_bidi() {
        let s = "a\x1b]0;pwned\x07b\x1b[31mc\0d\u{9b}e\u{202E}f\r\ng\x7f";
        let clean = sanitize(s);
        assert!(!clean.chars().any(is_unsafe), "{clean:?}");
        assert_eq!(clean, "a␛]0;pwned␇b␛[31mc␀d?e?f␍␊g␡");
    }

    #[test]
    fn safe_text_is_made_safe_once_and_literals_pass() {
        let name = SafeText::new("Evil\u{1b}[2J");
        assert_eq!(name, "Evil␛[2J");
        assert_eq!(
            SafeText::new(name.as_str()),
            name,
            "neutralising twice changes nothing"
        );
        assert_eq!(SafeText::from("automatic").as_str(), "automatic");
    }

    #[test]
    fn joined_emoji_are_drawn_unjoined_and_controls_as_pictures() {
        assert_eq!(drawable("a👩\u{200D}👩\u{200D}👧b"), "a👩👩👧b");
        assert_eq!(drawable("L1\nL2\u{1b}[31m\u{202e}\u{200b}"), "L1␊L2␛[31m??");
        assert!(matches!(drawable("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn a_name_matches_as_stored_or_as_shown() {
        assert!(names_match(" Gotham ", "Gotham"));
        assert!(names_match(
            "👨👩👧👦 family",
            "👨\u{200d}👩\u{200d}👧\u{200d}👦 family"
        ));
        assert!(names_match("evil?txt.exe", "evil\u{202e}txt.exe"));
        assert!(names_match("two␊lines", "two\nlines"));
        assert!(!names_match("", ""));
        assert!(!names_match("Gotha", "Gotham"));
    }

    #[test]
    fn a_paste_loses_whole_escape_sequences_and_one_space_per_line_break() {
        let clean = |s: &str| pasted(s).collect::<String>();
        assert_eq!(clean("\x1b[31mABC\x1b[0m"), "ABC");
        assert_eq!(clean("a\x1b[38;2;1;2;3mb"), "ab", "a long CSI");
        assert_eq!(clean("a\u{9b}1;2Hb"), "ab", "the one-character CSI");
        assert_eq!(clean("a\x1b]0;title\x07b"), "ab", "OSC ended by BEL");
        assert_eq!(
            clean("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"),
            "link",
            "OSC 8 ended by ST"
        );
        assert_eq!(clean("a\x1bPq#0\x1b\\b"), "ab", "DCS");
        assert_eq!(clean("a\x1b(Bb\x1b7c"), "abc", "two-character ones");
        assert_eq!(clean("a\x1b"), "a", "cut short");
        assert_eq!(clean("a\r\nb\rc\nd\te"), "a b c d e");
        assert_eq!(clean("a\r\n\r\nb"), "a  b", "two breaks, two spaces");
        assert_eq!(clean("a\u{202e}b\x07c"), "abc", "other controls dropped");
    }

    #[test]
    fn cuts_very_long_text() {
        let clean = sanitize(&"x".repeat(10_000));
        assert_eq!(clean.chars().count(), MAX_CHARS + 1);
        assert!(clean.ends_with('…'));
    }
}
