//! The per-import mapping of other item tags (Sierra `945`, `949`, ...) to a
//! copy's fields: `--items TAG:SUBFIELD=FIELD,...` (CLI.md; README "Holdings
//! files").

/// A copy's field that a mapped subfield gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemField {
    /// Its shelving location; several mapped subfields are joined by a space.
    Location,
    /// Its call number; several mapped subfields are joined by a space.
    CallNumber,
    /// `true`/`yes`/`y`/`1` lendable, `false`/`no`/`n`/`0` not (any case);
    /// another value: not lendable, so that no lender is asked for a copy
    /// it may not lend. Absent: lendable.
    Lendable,
    /// As Koha's 952 `$7`: a value other than blank or `0` makes the copy
    /// not lendable.
    NotForLoan,
}

impl ItemField {
    const NAMES: [(&'static str, ItemField); 4] = [
        ("location", ItemField::Location),
        ("call_number", ItemField::CallNumber),
        ("lendable", ItemField::Lendable),
        ("not_for_loan", ItemField::NotForLoan),
    ];

    fn from_name(name: &str) -> Option<ItemField> {
        Self::NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, field)| *field)
    }
}

/// Which subfields of which item tags give a copy's fields. Each occurrence
/// of a mapped tag is one copy, like each 852 or 952.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemMapping {
    /// (tag, subfield code, field), in the order given.
    rules: Vec<([u8; 3], u8, ItemField)>,
}

/// The mapping cannot be read; the message says why (the caller names
/// where it came from: `--items` or the route's `items`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MalformedMapping(pub String);

/// The tags whose copies are read without a mapping.
const BUILT_IN: [&[u8; 3]; 2] = [b"852", b"952"];

impl ItemMapping {
    /// Reads `TAG:SUBFIELD=FIELD,...`, e.g. `949:l=location,949:a=call_number`:
    /// TAG three digits from 010 (a data field) other than 852 and 952 (read
    /// anyway), SUBFIELD one letter or digit, FIELD one of `location`,
    /// `call_number`, `lendable`, `not_for_loan`; each TAG:SUBFIELD once.
    pub fn parse(text: &str) -> Result<ItemMapping, MalformedMapping> {
        let mut rules = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            let malformed = |why: &str| {
                MalformedMapping(format!(
                    "\"{part}\" {why}; expected TAG:SUBFIELD=FIELD, e.g. 949:l=location"
                ))
            };
            let (target, field) = part
                .split_once('=')
                .ok_or_else(|| malformed("has no '='"))?;
            let (tag, code) = target
                .trim()
                .split_once(':')
                .ok_or_else(|| malformed("has no ':'"))?;
            let tag: [u8; 3] = tag
                .as_bytes()
                .try_into()
                .ok()
                .filter(|tag: &[u8; 3]| tag.iter().all(u8::is_ascii_digit))
                .ok_or_else(|| malformed("has a tag that is not three digits"))?;
            if &tag[..2] == b"00" {
                return Err(malformed(
                    "names a control field (00X), which has no subfields",
                ));
            }
            if BUILT_IN.contains(&&tag) {
                return Err(malformed(
                    "maps 852 or 952, which are read without a mapping",
                ));
            }
            let code = match code.as_bytes() {
                [code] if code.is_ascii_alphanumeric() => *code,
                _ => {
                    return Err(malformed(
                        "has a subfield code that is not one letter or digit",
                    ))
                }
            };
            let field = ItemField::from_name(field.trim()).ok_or_else(|| {
                malformed("has an unknown field (location, call_number, lendable, not_for_loan)")
            })?;
            if rules.iter().any(|(t, c, _)| *t == tag && *c == code) {
                return Err(malformed("maps a subfield already mapped"));
            }
            rules.push((tag, code, field));
        }
        Ok(ItemMapping { rules })
    }

    /// Whether `tag` is a mapped item tag.
    pub fn maps(&self, tag: &[u8; 3]) -> bool {
        self.rules.iter().any(|(t, _, _)| t == tag)
    }

    /// The field that subfield `code` of `tag` gives, if mapped.
    pub fn field(&self, tag: &[u8; 3], code: u8) -> Option<ItemField> {
        self.rules
            .iter()
            .find(|(t, c, _)| t == tag && *c == code)
            .map(|(_, _, field)| *field)
    }
}
