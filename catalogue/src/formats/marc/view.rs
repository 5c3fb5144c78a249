//! One MARC record as both readers hand it to the field mapping: its fields
//! as slices of one text, each data field laid out as ISO 2709 stores it
//! (two indicators, then each subfield as 0x1F, its code, its value), so
//! that the binary reader needs no copy and the XML reader one buffer.

/// The subfield delimiter of ISO 2709.
pub const SUBFIELD: u8 = 0x1F;

/// Where one field's data sits in the record's text.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpan {
    pub tag: [u8; 3],
    pub start: usize,
    pub end: usize,
}

/// A record's fields over its text.
pub struct RecordView<'r> {
    pub text: &'r str,
    pub fields: &'r [FieldSpan],
}

impl<'r> RecordView<'r> {
    /// Each field's tag and data, in record order.
    pub fn fields(&self) -> impl Iterator<Item = (&'r [u8; 3], &'r str)> + '_ {
        let text = self.text;
        self.fields
            .iter()
            .map(move |span| (&span.tag, &text[span.start..span.end]))
    }
}

/// A data field's two indicators (blank when missing).
pub fn indicators(data: &str) -> [u8; 2] {
    let head = data.as_bytes();
    let at = |i: usize| match head.get(i) {
        Some(&byte) if byte != SUBFIELD => byte,
        _ => b' ',
    };
    [at(0), at(1)]
}

/// A data field's subfields as (code, value), in field order. A subfield
/// whose code is not ASCII is skipped: its value cannot be told apart.
pub fn subfields(data: &str) -> impl Iterator<Item = (u8, &str)> {
    let bytes = data.as_bytes();
    let mut delimiters = memchr::memchr_iter(SUBFIELD, bytes).peekable();
    std::iter::from_fn(move || loop {
        let at = delimiters.next()?;
        let end = delimiters.peek().copied().unwrap_or(bytes.len());
        match bytes.get(at + 1) {
            Some(&code) if code.is_ascii() && at + 1 < end => {
                return Some((code, &data[at + 2..end]));
            }
            _ => continue,
        }
    })
}

/// The first value of subfield `code`.
pub fn first(data: &str, code: u8) -> Option<&str> {
    subfields(data)
        .find(|(c, _)| *c == code)
        .map(|(_, value)| value)
}
