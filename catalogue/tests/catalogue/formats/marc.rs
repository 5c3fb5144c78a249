//! MARC 21 (ISO 2709): pymarc's and Zebra's sample files, and hand-made
//! records for copies, encodings and damage.

use catalogue::formats::{Entry, Format, ItemMapping};
use catalogue::record::{Copy, SourceRecord};

use super::breaker::iso2709;
use super::{gunzip, read_bytes, read_fixture, records, rejections};

const MARC8: &str = "MARC-8 encoding is not supported; export the file as UTF-8";

fn lendable(local_id: &str) -> Copy {
    Copy {
        local_id: Some(local_id.into()),
        lendable: true,
        ..Copy::default()
    }
}

#[test]
fn pymarc_s_records_are_read_with_their_fields_and_identifiers() {
    let entries = read_fixture(Format::Marc, "pymarc/marc.dat").unwrap();
    assert_eq!(entries.len(), 20);
    assert!(rejections(&entries).is_empty());
    let found = records(&entries);
    assert_eq!(
        *found[0],
        SourceRecord {
            title: "The pragmatic programmer : from journeyman to master".into(),
            author: Some("Hunt, Andrew".into()),
            publisher: Some("Addison-Wesley".into()),
            year: Some("2000".into()),
            edition: None,
            isbns: vec!["9780201616224".into()],
            issns: vec![],
            oclc_numbers: vec![],
            lccn: Some("99043581".into()),
            copies: vec![lendable("11778504")],
        }
    );
    assert_eq!(
        *found[2],
        SourceRecord {
            title: "Learning Python".into(),
            author: Some("Lutz, Mark".into()),
            publisher: Some("O'Reilly".into()),
            year: Some("c2004".into()),
            edition: Some("2nd ed".into()),
            isbns: vec!["9780596002817".into()],
            lccn: Some("2004273129".into()),
            copies: vec![lendable("13610512")],
            ..SourceRecord::default()
        }
    );
    assert_eq!(found[19].title, "ANSI Common Lisp");

    let entries = read_fixture(Format::Marc, "pymarc/test.dat").unwrap();
    let found = records(&entries);
    assert_eq!((found.len(), entries.len()), (10, 10));
    assert_eq!(found[0].isbns, vec!["9780471383147".to_string()]);
    assert_eq!(found[0].copies, vec![lendable("fol05731351")]);
    assert_eq!(found[2].title, "Perl : programmer's reference");
    assert!(found[2].isbns.is_empty());
    assert_eq!(
        found[5].title,
        "Proceedings of the Perl Conference 4.0 : July 17-20, 2000, Monterey, California"
    );
    assert_eq!(found[5].author.as_deref(), Some("Perl Conference 4.0"));
    assert_eq!(found[5].lccn.as_deref(), Some("00055759"));
}

#[test]
fn a_damaged_record_is_rejected_with_its_reason_and_reading_resumes() {
    let entries = read_fixture(Format::Marc, "pymarc/bad_records.mrc").unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|entry| match entry {
                Entry::Record(record) => format!("record: {}", record.title),
                Entry::Rejected(reason) => reason.clone(),
            })
            .collect::<Vec<_>>(),
        vec![
            "record: The pragmatic programmer : from journeyman to master",
            "the base address 99937 does not follow the directory",
            "the base address 0 does not follow the directory",
            "the directory is not a whole number of 12-byte entries",
            "the directory is not a whole number of 12-byte entries",
            "the leader's base address is not a number",
            "no title (245 $a)",
            "record: The pragmatic programmer : from journeyman to master",
            "the file ends inside a record (no record terminator)",
        ]
    );
}

#[test]
fn a_marc8_record_is_rejected_unless_it_is_plain_ascii() {
    let entries = read_fixture(Format::Marc, "pymarc/marc8.dat").unwrap();
    assert_eq!(entries, vec![Entry::Rejected(MARC8.into())]);

    let plain = iso2709("=LDR  00000cam  2200000 a 4500\n=245  10$aPlain ASCII /");
    let accented = iso2709("=LDR  00000cam  2200000 a 4500\n=245  10$aCaf\u{e9}");
    let escaped = iso2709("=LDR  00000cam  2200000 a 4500\n=245  10$a\u{1b}(2Title");
    let other = iso2709("=LDR  00000cam b2200000 a 4500\n=245  10$aTitle");
    let mut file = [plain, accented, escaped, other].concat();
    let entries = read_bytes(
        Format::Marc,
        std::mem::take(&mut file),
        &ItemMapping::default(),
    );
    let entries = entries.unwrap();
    assert_eq!(records(&entries)[0].title, "Plain ASCII");
    assert_eq!(
        rejections(&entries),
        vec![
            MARC8,
            MARC8,
            "leader/09 is 'b', not a known character coding"
        ]
    );
}

#[test]
fn invalid_utf8_in_a_utf8_record_is_rejected() {
    let mut bad = iso2709("=LDR  00000cam a2200000 a 4500\n=245  10$aCafe");
    let at = bad.iter().rposition(|b| *b == b'e').unwrap();
    bad[at] = 0xFF;
    let good = iso2709("=LDR  00000cam a2200000 a 4500\n=245  10$aCaf\u{e9} society");
    let entries = read_bytes(Format::Marc, [bad, good].concat(), &ItemMapping::default()).unwrap();
    assert_eq!(
        rejections(&entries),
        vec![format!("the record is not valid UTF-8 (at byte {at})")]
    );
    assert_eq!(records(&entries)[0].title, "Café society");
}

#[test]
fn a_file_that_is_not_marc_is_broken() {
    let broken = |bytes: &[u8]| {
        read_bytes(Format::Marc, bytes.to_vec(), &ItemMapping::default())
            .unwrap_err()
            .reason
    };
    let not_marc = "not MARC 21 (ISO 2709): the file does not begin with a record leader";
    assert_eq!(
        broken(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
        not_marc
    );
    assert_eq!(broken(b"<?xml version=\"1.0\"?><collection/>"), not_marc);
    assert_eq!(broken(b"title,author\nEmma,Austen\n"), not_marc);
    assert_eq!(broken(b"00042"), not_marc);
    assert_eq!(broken(b""), "the file is empty");
    assert_eq!(broken(b"\r\n\0\0"), "the file is empty");
}

/// Zebra's MARC 21 sample: 26 records, one of them a Danish record in
/// MARC-8, followed by two empty records and a NUL of padding.
#[test]
fn zebra_s_sample_is_read() {
    let entries = read_bytes(
        Format::Marc,
        gunzip("marc21/sample-marc.gz"),
        &ItemMapping::default(),
    )
    .unwrap();
    assert_eq!(rejections(&entries), vec![MARC8]);
    let found = records(&entries);
    assert_eq!(found.len(), 23);
    assert_eq!(found[0].title, "How to program a computer");
    assert_eq!(found[0].lccn.as_deref(), Some("11224466"));
    assert_eq!(found[0].copies, vec![lendable("11224466")]);
    assert_eq!(found[2].lccn.as_deref(), Some("73090924"));
    assert_eq!(found[5].isbns, vec!["9780839108825".to_string()]);
    assert_eq!(found[13].title, "Internet world");
    assert_eq!(found[13].lccn.as_deref(), Some("92646062"));
    assert_eq!(found[13].copies[0].local_id.as_deref(), Some("ACD-3837"));
    let with_isbn = found
        .iter()
        .filter(|record| !record.isbns.is_empty())
        .count();
    assert_eq!(with_isbn, 5);
}

/// Every byte of a record with multi-byte characters, changed to each of
/// the bytes that matter to the reader, gives entries or a broken file,
/// never a panic; the good record after it is still read unless the damage
/// took the record terminator between them.
#[test]
fn any_damaged_byte_is_survived() {
    let damaged = iso2709(
        "=LDR  00000cam a2200000 i 4500\n=001  é1\n=020  \\\\$a0306406152\n\
         =245  10$aCafé :$bsociété /\n=952  \\\\$aMAIN$7é",
    );
    let good = iso2709("=LDR  00000cam a2200000 i 4500\n=245  10$aLast");
    for at in 0..damaged.len() {
        for byte in [0x00, 0x1D, 0x1E, 0x1F, b'0', b'9', b' ', 0xA9, 0xC3, 0xFF] {
            let mut file = damaged.clone();
            file[at] = byte;
            file.extend_from_slice(&good);
            let terminator = at == damaged.len() - 1;
            if let Ok(entries) = read_bytes(Format::Marc, file, &ItemMapping::default()) {
                if terminator {
                    continue;
                }
                let last = entries.last().expect("at least one entry");
                assert!(
                    matches!(last, Entry::Record(record) if record.title == "Last"),
                    "byte {at} set to {byte:#04x}: {last:?}"
                );
            }
        }
    }
}
