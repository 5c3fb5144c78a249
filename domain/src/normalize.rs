//! Text folding and the normal forms of bibliographic identifiers (DESIGN.md,
//! "The union catalogue"): the one place where an ISBN, ISSN, OCLC number or
//! LCCN is read, for holdings imports, catalogue queries and copyright counts.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// NFKD, diacritics removed, lower-cased, punctuation to spaces, runs of
/// spaces to one: the words the catalogue indexes and compares.
pub fn fold(text: &str) -> String {
    let folded: String = text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An ISBN-10 or ISBN-13 with a valid check digit, hyphens and spaces
/// allowed, as ISBN-13 digits. Text after the number (a qualifier such as
/// "(pbk.)") is ignored.
pub fn isbn13(text: &str) -> Option<String> {
    let leading = text
        .trim_start()
        .split(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | ' ' | 'x' | 'X')))
        .next()?;
    let compact: String = leading
        .split_whitespace()
        .next()?
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match compact.len() {
        10 if isbn10_valid(&compact) => {
            let body = format!("978{}", &compact[..9]);
            let check = isbn13_check(&body);
            Some(format!("{body}{check}"))
        }
        13 if compact.bytes().all(|b| b.is_ascii_digit())
            && (compact.starts_with("978") || compact.starts_with("979"))
            && isbn13_check(&compact[..12]) == compact.as_bytes()[12] - b'0' =>
        {
            Some(compact)
        }
        _ => None,
    }
}

fn isbn10_valid(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    if !bytes[..9].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let last = match bytes[9] {
        b'X' => 10,
        b @ b'0'..=b'9' => u32::from(b - b'0'),
        _ => return false,
    };
    let sum: u32 = bytes[..9]
        .iter()
        .enumerate()
        .map(|(i, b)| (10 - i as u32) * u32::from(b - b'0'))
        .sum::<u32>()
        + last;
    sum % 11 == 0
}

fn isbn13_check(twelve: &str) -> u8 {
    let sum: u32 = twelve
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// An ISSN with a valid check digit, with or without its hyphen, as
/// `NNNN-NNNX`.
pub fn issn(text: &str) -> Option<String> {
    let compact: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let bytes = compact.as_bytes();
    if bytes.len() != 8 || !bytes[..7].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes[..7]
        .iter()
        .enumerate()
        .map(|(i, b)| (8 - i as u32) * u32::from(b - b'0'))
        .sum();
    let expected = match (11 - sum % 11) % 11 {
        10 => b'X',
        digit => b'0' + digit as u8,
    };
    (bytes[7] == expected).then(|| format!("{}-{}", &compact[..4], &compact[4..]))
}

/// An OCLC number written as digits, or after `(OCoLC)` and/or one of the
/// prefixes `ocm`, `ocn`, `on`: its digits without leading zeros.
pub fn oclc(text: &str) -> Option<String> {
    let text = text.trim();
    let text = strip_prefix_ignore_case(text, "(ocolc)").unwrap_or(text);
    let digits = ["ocm", "ocn", "on"]
        .iter()
        .find_map(|prefix| strip_prefix_ignore_case(text, prefix))
        .unwrap_or(text)
        .trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    (!significant.is_empty()).then(|| significant.to_owned())
}

/// The OCLC number of a MARC 035 `$a`, which must say `(OCoLC)`: other
/// systems' numbers share the field.
pub fn oclc_in_035(text: &str) -> Option<String> {
    strip_prefix_ignore_case(text.trim(), "(ocolc)")?;
    oclc(text)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// An LCCN normalised as the Library of Congress says
/// (<https://www.loc.gov/marc/lccn-namespace.html>): blanks removed, from a
/// slash on dropped, the serial after a hyphen left-filled with zeros to six
/// digits; the prefix lower-cased. `None` unless the result is a prefix of up
/// to three letters and eight digits, or up to two letters and ten digits.
pub fn lccn(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.split('/').next().unwrap_or_default();
    let normal = match compact.split_once('-') {
        Some((head, serial)) => {
            if serial.is_empty() || serial.len() > 6 || !serial.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            format!("{head}{serial:0>6}")
        }
        None => compact.to_owned(),
    }
    .to_ascii_lowercase();
    let letters = normal.bytes().take_while(u8::is_ascii_lowercase).count();
    let digits = &normal[letters..];
    let shaped = digits.bytes().all(|b| b.is_ascii_digit())
        && matches!((letters, digits.len()), (0..=3, 8) | (0..=2, 10));
    shaped.then_some(normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_folds_to_plain_words() {
        assert_eq!(fold("  Café-Society: Revue!"), "cafe society revue");
        assert_eq!(fold("Élève complète / Molière"), "eleve complete moliere");
        assert_eq!(fold("ﬁnal Ｆｏｒｍ"), "final form");
    }

    #[test]
    fn isbns_become_isbn13() {
        let table = [
            ("0-19-852663-6", Some("9780198526636")),
            ("0198526636 (pbk.)", Some("9780198526636")),
            ("978-0-19-852663-6", Some("9780198526636")),
            ("080442957X", Some("9780804429573")),
            ("080442957x : $12.00", Some("9780804429573")),
            ("9791234567896", Some("9791234567896")),
            ("0-19-852663-7", None),
            ("9780198526637", None),
            ("9770198526635", None),
            ("not an isbn", None),
            ("", None),
        ];
        for (raw, expected) in table {
            assert_eq!(isbn13(raw).as_deref(), expected, "{raw:?}");
        }
    }

    #[test]
    fn issns_need_their_check_digit() {
        assert_eq!(issn("0028-0836").as_deref(), Some("0028-0836"));
        assert_eq!(issn("0028 792x").as_deref(), Some("0028-792X"));
        assert_eq!(issn("00280836").as_deref(), Some("0028-0836"));
        assert_eq!(issn("0028-0837"), None);
        assert_eq!(issn("not an issn"), None);
    }

    #[test]
    fn oclc_numbers_lose_prefixes_and_zeros() {
        let table = [
            ("(OCoLC)ocm00012345", Some("12345")),
            ("(OCoLC)12345", Some("12345")),
            ("(ocolc)ocn123456789", Some("123456789")),
            ("on1234567890", Some("1234567890")),
            ("000042", Some("42")),
            ("ocm 0042", Some("42")),
            ("0000", None),
            ("(DLC)12345", None),
            ("12a45", None),
        ];
        for (raw, expected) in table {
            assert_eq!(oclc(raw).as_deref(), expected, "{raw:?}");
        }
        assert_eq!(oclc_in_035("(OCoLC)ocm00012345").as_deref(), Some("12345"));
        assert_eq!(oclc_in_035("12345"), None);
    }

    #[test]
    fn lccns_follow_the_library_of_congress() {
        let table = [
            ("n78-890351", Some("n78890351")),
            ("n 78890351 ", Some("n78890351")),
            ("   85000002 ", Some("85000002")),
            ("85-2 ", Some("85000002")),
            ("2001-000002", Some("2001000002")),
            ("75-425165//r75", Some("75425165")),
            (" 79139101 /AC/r932", Some("79139101")),
            ("N78-890351", Some("n78890351")),
            ("85-1234567", None),
            ("abcd12345678", None),
            ("1234", None),
        ];
        for (raw, expected) in table {
            assert_eq!(lccn(raw).as_deref(), expected, "{raw:?}");
        }
    }
}
