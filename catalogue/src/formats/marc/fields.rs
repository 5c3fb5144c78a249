//! MARC 21 fields → a [`SourceRecord`], for the binary and the XML reader
//! alike (DESIGN.md, "The union catalogue"; README "Holdings files").

use domain::normalize;

use super::view::{first, indicators, subfields, RecordView};
use crate::formats::{Entry, ItemField, ItemMapping};
use crate::record::{Copy, SourceRecord};

/// The reason a record without a title is refused.
pub const NO_TITLE: &str = "no title (245 $a)";

/// The record's entry: a [`SourceRecord`], or its rejection when it has no
/// title. Invalid identifiers are dropped, not refused: libraries' data is
/// messy and the rest of the record is still worth holding.
pub fn entry(record: &RecordView<'_>, items: &ItemMapping) -> Entry {
    let mut found = Found::default();
    for (tag, data) in record.fields() {
        found.field(tag, data, items);
    }
    found.finish()
}

/// What the walk over the fields has found so far.
#[derive(Default)]
struct Found<'r> {
    local_id: Option<&'r str>,
    title: Option<(&'r str, Option<&'r str>)>,
    /// 100, 110, 111 $a, by tag.
    authors: [Option<&'r str>; 3],
    /// (264 with second indicator 1, any 264, 260): $b and $c.
    imprints: [(Option<&'r str>, Option<&'r str>); 3],
    date1: Option<&'r str>,
    edition: Option<&'r str>,
    record: SourceRecord,
    copy_fields: usize,
}

impl<'r> Found<'r> {
    fn field(&mut self, tag: &[u8; 3], data: &'r str, items: &ItemMapping) {
        match tag {
            b"001" => self.local_id = Some(data.trim()).filter(|id| !id.is_empty()),
            b"008" => {
                self.date1 = data
                    .get(7..11)
                    .filter(|year| year.bytes().all(|b| b.is_ascii_digit()));
            }
            b"010" => {
                if self.record.lccn.is_none() {
                    self.record.lccn = first(data, b'a').and_then(normalize::lccn);
                }
            }
            b"020" => add_all(&mut self.record.isbns, data, normalize::isbn13),
            b"022" => add_all(&mut self.record.issns, data, normalize::issn),
            b"035" => add_all(&mut self.record.oclc_numbers, data, normalize::oclc_in_035),
            b"100" | b"110" | b"111" => {
                let slot = &mut self.authors[match tag {
                    b"100" => 0,
                    b"110" => 1,
                    _ => 2,
                }];
                if slot.is_none() {
                    *slot = first(data, b'a');
                }
            }
            b"245" => {
                if self.title.is_none() {
                    if let Some(main) = first(data, b'a') {
                        self.title = Some((main, first(data, b'b')));
                    }
                }
            }
            b"250" => {
                if self.edition.is_none() {
                    self.edition = first(data, b'a');
                }
            }
            b"260" => self.imprint(2, data),
            b"264" => {
                if indicators(data)[1] == b'1' {
                    self.imprint(0, data);
                }
                self.imprint(1, data);
            }
            b"852" => self.copy(holding_852(data)),
            b"952" => self.copy(koha_952(data)),
            _ if items.maps(tag) => self.copy(Some(mapped(tag, data, items))),
            _ => {}
        }
    }

    /// Keeps the first publisher and the first date of one imprint kind.
    fn imprint(&mut self, kind: usize, data: &'r str) {
        let (publisher, year) = &mut self.imprints[kind];
        if publisher.is_none() {
            *publisher = first(data, b'b');
        }
        if year.is_none() {
            *year = first(data, b'c');
        }
    }

    /// Counts a copy field; keeps its copy unless withdrawn or lost.
    fn copy(&mut self, copy: Option<Copy>) {
        self.copy_fields += 1;
        self.record.copies.extend(copy);
    }

    fn finish(mut self) -> Entry {
        let title = self.title.map(|(main, rest)| match rest {
            Some(rest) => clean(&format!("{} {}", main.trim_end(), rest.trim_start())).to_owned(),
            None => clean(main).to_owned(),
        });
        let Some(title) = title.filter(|title| !title.is_empty()) else {
            return Entry::Rejected(NO_TITLE.into());
        };
        let text = |value: Option<&str>| {
            value
                .map(clean)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let record = &mut self.record;
        record.title = title;
        record.author = text(self.authors.iter().find_map(|author| *author));
        record.publisher = text(self.imprints.iter().find_map(|(publisher, _)| *publisher));
        record.year = text(
            self.imprints
                .iter()
                .find_map(|(_, year)| *year)
                .or(self.date1),
        );
        record.edition = text(self.edition);
        if self.copy_fields == 0 {
            record.copies.push(Copy {
                lendable: true,
                ..Copy::default()
            });
        }
        let local_id = self.local_id.map(str::to_owned);
        for copy in &mut record.copies {
            copy.local_id.clone_from(&local_id);
        }
        Entry::Record(self.record)
    }
}

/// Trims blanks and the ISBD punctuation that ends a MARC subfield
/// (" /", " :", " ;", " =", ".", ",").
fn clean(value: &str) -> &str {
    value
        .trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, '/' | ':' | ';' | '=' | '.' | ',')
        })
        .trim_start()
}

/// Adds each `$a` in its normal form, once; an invalid one is dropped.
fn add_all(found: &mut Vec<String>, data: &str, normal: fn(&str) -> Option<String>) {
    for (code, value) in subfields(data) {
        if code != b'a' {
            continue;
        }
        if let Some(value) = normal(value) {
            if !found.contains(&value) {
                found.push(value);
            }
        }
    }
}

/// Joins the non-blank `parts` with a space; `None` when all are blank.
fn joined<'v>(parts: impl Iterator<Item = &'v str>) -> Option<String> {
    let mut out = String::new();
    for part in parts.map(str::trim).filter(|part| !part.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    (!out.is_empty()).then_some(out)
}

/// 852: `$b` location, `$h` and `$i` call number.
fn holding_852(data: &str) -> Option<Copy> {
    Some(Copy {
        location: joined(first(data, b'b').into_iter()),
        call_number: joined(
            subfields(data)
                .filter(|(code, _)| matches!(code, b'h' | b'i'))
                .map(|(_, value)| value),
        ),
        lendable: true,
        local_id: None,
    })
}

/// Whether a Koha status subfield is set: present with a value other than
/// blank or `0`.
fn set(value: Option<&str>) -> bool {
    value.is_some_and(|value| !matches!(value.trim(), "" | "0"))
}

/// Koha 952: `$a` (home branch) else `$b` → location, `$o` call number;
/// `$0` withdrawn or `$1` lost → not kept; `$4` damaged or `$7` not for
/// loan → not lendable.
fn koha_952(data: &str) -> Option<Copy> {
    if set(first(data, b'0')) || set(first(data, b'1')) {
        return None;
    }
    Some(Copy {
        location: joined(first(data, b'a').or_else(|| first(data, b'b')).into_iter()),
        call_number: joined(first(data, b'o').into_iter()),
        lendable: !(set(first(data, b'4')) || set(first(data, b'7'))),
        local_id: None,
    })
}

/// Another item tag, read by the import's `--items` mapping.
fn mapped(tag: &[u8; 3], data: &str, items: &ItemMapping) -> Copy {
    let mapped = |wanted: ItemField| {
        subfields(data)
            .filter(move |(code, _)| items.field(tag, *code) == Some(wanted))
            .map(|(_, value)| value)
    };
    let lendable = mapped(ItemField::Lendable).all(|value| {
        matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "true" | "yes" | "y" | "1"
        )
    }) && !mapped(ItemField::NotForLoan).any(|value| set(Some(value)));
    Copy {
        location: joined(mapped(ItemField::Location)),
        call_number: joined(mapped(ItemField::CallNumber)),
        lendable,
        local_id: None,
    }
}
