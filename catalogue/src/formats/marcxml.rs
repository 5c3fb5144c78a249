//! MARCXML (MARC 21 slim): a streaming reader over quick-xml that lays each
//! `<record>` out as the binary reader does ([`super::marc::view`]) and maps
//! it with the same fields. Elements count in the slim namespace, with or
//! without a prefix, or in none; XML that is not well-formed ends the file
//! with a [`BrokenFile`].

use std::io::BufRead;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;

use super::marc::fields;
use super::marc::view::{FieldSpan, RecordView, SUBFIELD};
use super::{BrokenFile, Entry, ItemMapping, Records};

const SLIM: &[u8] = b"http://www.loc.gov/MARC21/slim";

/// Reads MARCXML; a file whose root is not `<collection>` or `<record>` is
/// a [`BrokenFile`] at once.
pub fn read<'a, R: BufRead + Send + 'a>(
    input: R,
    items: &'a ItemMapping,
) -> Result<Records<'a>, BrokenFile> {
    let mut records = XmlRecords {
        reader: NsReader::from_reader(input),
        buffer: Vec::new(),
        items,
        record: Assembly::default(),
        pending: None,
        done: false,
    };
    records.open_root()?;
    Ok(Box::new(records))
}

struct XmlRecords<'a, R> {
    reader: NsReader<R>,
    buffer: Vec<u8>,
    items: &'a ItemMapping,
    record: Assembly,
    /// The entry of an empty root `<record/>`.
    pending: Option<Entry>,
    done: bool,
}

/// Where the reader is inside a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Place {
    #[default]
    Outside,
    InRecord,
    InControl,
    InData,
    InSubfield,
    /// In a subfield whose code is not one ASCII character: its text is
    /// dropped.
    InBadSubfield,
}

/// The record being assembled: its text and fields as the binary reader
/// gives them.
#[derive(Default)]
struct Assembly {
    place: Place,
    text: String,
    spans: Vec<FieldSpan>,
    /// The open field's tag (`None` when not three letters or digits: the
    /// field is dropped) and where its data starts.
    open: Option<[u8; 3]>,
    start: usize,
    /// Elements open, to tell a file cut short.
    depth: usize,
}

impl<R: BufRead> XmlRecords<'_, R> {
    /// Reads up to the root element and checks that it is MARCXML.
    fn open_root(&mut self) -> Result<(), BrokenFile> {
        loop {
            self.buffer.clear();
            let (namespace, event) = self
                .reader
                .read_resolved_event_into(&mut self.buffer)
                .map_err(|error| not_well_formed(&error))?;
            let in_slim = is_slim(&namespace);
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(element) | Event::Empty(element) => {
                    let name = element.local_name();
                    let name = name.as_ref();
                    if !in_slim || !matches!(name, b"collection" | b"record") {
                        return Err(BrokenFile::new(format!(
                            "not MARCXML: the root element is <{}>, not a MARC 21 slim \
                             <collection> or <record>",
                            String::from_utf8_lossy(element.name().as_ref())
                        )));
                    }
                    if name == b"record" {
                        self.record.begin();
                    }
                    if empty {
                        self.pending = self.record.end_element(name, self.items);
                    } else {
                        self.record.depth = 1;
                    }
                    return Ok(());
                }
                Event::Eof => {
                    return Err(BrokenFile::new("not MARCXML: the file has no root element"))
                }
                Event::Text(text) if !text.iter().all(u8::is_ascii_whitespace) => {
                    return Err(BrokenFile::new(
                        "not MARCXML: the file has text before its root element",
                    ))
                }
                _ => {}
            }
        }
    }

    /// Reads events up to the end of the next record.
    fn next_record(&mut self) -> Result<Option<Entry>, BrokenFile> {
        let record = &mut self.record;
        loop {
            self.buffer.clear();
            let (namespace, event) = self
                .reader
                .read_resolved_event_into(&mut self.buffer)
                .map_err(|error| not_well_formed(&error))?;
            let in_slim = is_slim(&namespace);
            match event {
                Event::Start(element) => {
                    record.depth += 1;
                    if in_slim {
                        record.start_element(&element);
                    }
                }
                Event::Empty(element) => {
                    if in_slim {
                        record.start_element(&element);
                        if let Some(entry) =
                            record.end_element(element.local_name().as_ref(), self.items)
                        {
                            return Ok(Some(entry));
                        }
                    }
                }
                Event::End(element) => {
                    record.depth -= 1;
                    if in_slim {
                        if let Some(entry) =
                            record.end_element(element.local_name().as_ref(), self.items)
                        {
                            return Ok(Some(entry));
                        }
                    }
                }
                Event::Text(text) => {
                    if record.takes_text() {
                        let text = text.decode().map_err(|error| not_well_formed(&error))?;
                        record.push_text(&text);
                    }
                }
                Event::CData(data) => {
                    if record.takes_text() {
                        let text = data.decode().map_err(|error| not_well_formed(&error))?;
                        record.push_text(&text);
                    }
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference
                        .resolve_char_ref()
                        .map_err(|error| not_well_formed(&error))?
                    {
                        Some(character) => character.to_string(),
                        None => {
                            let name = reference
                                .decode()
                                .map_err(|error| not_well_formed(&error))?;
                            resolve_predefined_entity(&name)
                                .ok_or_else(|| {
                                    BrokenFile::new(format!(
                                        "the XML is not well-formed: the entity &{name}; is not defined"
                                    ))
                                })?
                                .to_owned()
                        }
                    };
                    if record.takes_text() {
                        record.push_text(&resolved);
                    }
                }
                Event::Eof if record.depth > 0 => {
                    return Err(BrokenFile::new(
                        "the XML is not well-formed: the file ends before its root element closes",
                    ))
                }
                Event::Eof => return Ok(None),
                _ => {}
            }
        }
    }
}

fn is_slim(namespace: &ResolveResult<'_>) -> bool {
    match namespace {
        ResolveResult::Bound(Namespace(uri)) => *uri == SLIM,
        ResolveResult::Unbound => true,
        ResolveResult::Unknown(_) => false,
    }
}

fn not_well_formed(error: &dyn std::fmt::Display) -> BrokenFile {
    BrokenFile::new(format!("the XML is not well-formed: {error}"))
}

impl Assembly {
    fn begin(&mut self) {
        self.place = Place::InRecord;
        self.text.clear();
        self.spans.clear();
    }

    fn takes_text(&self) -> bool {
        matches!(self.place, Place::InControl | Place::InSubfield)
    }

    /// Appends text, without the delimiter that would split a subfield.
    fn push_text(&mut self, text: &str) {
        self.text
            .extend(text.chars().filter(|c| *c != char::from(SUBFIELD)));
    }

    fn start_element(&mut self, element: &BytesStart<'_>) {
        let attribute = |name: &[u8]| -> Option<Vec<u8>> {
            element
                .try_get_attribute(name)
                .ok()
                .flatten()
                .map(|attribute| attribute.value.into_owned())
        };
        match (self.place, element.local_name().as_ref()) {
            (Place::Outside, b"record") => self.begin(),
            (Place::InRecord, b"controlfield") => {
                self.open_field(attribute(b"tag"));
                self.place = Place::InControl;
            }
            (Place::InRecord, b"datafield") => {
                self.open_field(attribute(b"tag"));
                for indicator in [b"ind1", b"ind2"] {
                    let value = attribute(indicator);
                    self.text.push(match value.as_deref() {
                        Some(&[byte]) if byte.is_ascii() && byte != SUBFIELD => char::from(byte),
                        _ => ' ',
                    });
                }
                self.place = Place::InData;
            }
            (Place::InData, b"subfield") => match attribute(b"code").as_deref() {
                Some(&[code]) if code.is_ascii() && code != SUBFIELD => {
                    self.text.push(char::from(SUBFIELD));
                    self.text.push(char::from(code));
                    self.place = Place::InSubfield;
                }
                _ => self.place = Place::InBadSubfield,
            },
            _ => {}
        }
    }

    fn open_field(&mut self, tag: Option<Vec<u8>>) {
        self.open = tag
            .as_deref()
            .and_then(|tag| <[u8; 3]>::try_from(tag).ok())
            .filter(|tag| tag.iter().all(u8::is_ascii_alphanumeric));
        self.start = self.text.len();
    }

    fn close_field(&mut self) {
        match self.open.take() {
            Some(tag) => self.spans.push(FieldSpan {
                tag,
                start: self.start,
                end: self.text.len(),
            }),
            None => self.text.truncate(self.start),
        }
        self.place = Place::InRecord;
    }

    /// Closes an element; at a record's end gives its entry.
    fn end_element(&mut self, name: &[u8], items: &ItemMapping) -> Option<Entry> {
        match (self.place, name) {
            (Place::InSubfield | Place::InBadSubfield, b"subfield") => self.place = Place::InData,
            (Place::InData, b"datafield") | (Place::InControl, b"controlfield") => {
                self.close_field()
            }
            (Place::InRecord, b"record") => {
                self.place = Place::Outside;
                return Some(fields::entry(
                    &RecordView {
                        text: &self.text,
                        fields: &self.spans,
                    },
                    items,
                ));
            }
            _ => {}
        }
        None
    }
}

impl<R: BufRead> Iterator for XmlRecords<'_, R> {
    type Item = Result<Entry, BrokenFile>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if let Some(entry) = self.pending.take() {
            return Some(Ok(entry));
        }
        match self.next_record() {
            Ok(Some(entry)) => Some(Ok(entry)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(broken) => {
                self.done = true;
                Some(Err(broken))
            }
        }
    }
}
