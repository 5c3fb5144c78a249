//! Copies in MARC records (852, Koha 952, a tag mapped by `--items`) and the
//! fields' choices, each checked through both the ISO 2709 and the MARCXML
//! reader: they share the mapping.

use catalogue::formats::{Entry, Format, ItemMapping};
use catalogue::record::{Copy, SourceRecord};

use super::breaker::{iso2709, marcxml};
use super::read_bytes;

/// The entries of `record` read from ISO 2709 and from MARCXML, which must
/// agree.
fn read_both(record: &str, items: &ItemMapping) -> Entry {
    let binary = read_bytes(Format::Marc, iso2709(record), items).unwrap();
    let xml = read_bytes(Format::MarcXml, marcxml(&[record]).into_bytes(), items).unwrap();
    assert_eq!(binary, xml, "both readers give the same entries");
    assert_eq!(binary.len(), 1);
    binary.into_iter().next().unwrap()
}

fn record(entry: Entry) -> SourceRecord {
    match entry {
        Entry::Record(record) => record,
        Entry::Rejected(reason) => panic!("rejected: {reason}"),
    }
}

const COPIES: &str = r"
=LDR  00000cam a2200000 i 4500
=001  b77 
=008  990802s2000    mau           001 0 eng  
=020  \\$a0-306-40615-2 (pbk.)$z9780140439939$q(hardcover)
=020  \\$a123$a978-0-306-40615-7
=022  0\$a0317-8471$z0000-0000
=035  \\$a(OCoLC)ocm00054321$a(DLC)99043581
=035  \\$a(OCoLC)54321
=010  \\$an78-890351 
=110  2\$aLibrary Association.
=100  1\$aDupont, Jean,$d1950-
=245  10$aCafé society :$ba novel /$cJean Dupont.
=250  \\$a2nd ed.
=260  \\$aParis :$bOld press,$c1999.
=264  \4$c©2000
=264  \1$aLondon :$bNew press,$c[2000]
=852  \\$aCtY$bMain stacks$hPQ2603$i.U6 1999
=852  \\$bReserve
=952  \\$aMAIN$bBRANCH$oPQ 1$00$10$40$70
=952  \\$aMAIN$oPQ 2$01
=952  \\$bBRANCH$oPQ 3$12
=952  \\$aMAIN$oPQ 4$41
=952  \\$aMAIN$oPQ 5$7-1
=949  \\$lAnnex$aQA 76$bc.2$sx
=949  \\$lAnnex$sfalse
=949  \\$l  $ayes
";

#[test]
fn each_copy_field_is_a_copy_and_koha_statuses_decide_what_is_kept() {
    let items =
        ItemMapping::parse("949:l=location,949:a=call_number,949:b=call_number,949:s=lendable")
            .unwrap();
    let copy = |location: Option<&str>, call_number: Option<&str>, lendable: bool| Copy {
        local_id: Some("b77".into()),
        location: location.map(Into::into),
        call_number: call_number.map(Into::into),
        lendable,
    };
    assert_eq!(
        record(read_both(COPIES, &items)),
        SourceRecord {
            title: "Café society : a novel".into(),
            author: Some("Dupont, Jean".into()),
            publisher: Some("New press".into()),
            year: Some("[2000]".into()),
            edition: Some("2nd ed".into()),
            isbns: vec!["9780306406157".into()],
            issns: vec!["0317-8471".into()],
            oclc_numbers: vec!["54321".into()],
            lccn: Some("n78890351".into()),
            copies: vec![
                copy(Some("Main stacks"), Some("PQ2603 .U6 1999"), true),
                copy(Some("Reserve"), None, true),
                copy(Some("MAIN"), Some("PQ 1"), true),
                copy(Some("MAIN"), Some("PQ 4"), false),
                copy(Some("MAIN"), Some("PQ 5"), false),
                copy(Some("Annex"), Some("QA 76 c.2"), false),
                copy(Some("Annex"), None, false),
                copy(None, Some("yes"), true),
            ],
        }
    );

    // Without the mapping, 949 is no copy field.
    let copies = record(read_both(COPIES, &ItemMapping::default())).copies;
    assert_eq!(copies.len(), 5);
    let not_for_loan = ItemMapping::parse("949:s=not_for_loan").unwrap();
    let lendable: Vec<bool> = record(read_both(COPIES, &not_for_loan))
        .copies
        .iter()
        .map(|copy| copy.lendable)
        .collect();
    assert_eq!(
        lendable,
        vec![true, true, true, false, false, false, false, true]
    );
}

#[test]
fn a_record_whose_copies_are_all_withdrawn_or_lost_holds_nothing() {
    let gone = record(read_both(
        "=LDR  00000cam a2200000 i 4500\n=001  b9\n=245  00$aGone.\n\
         =952  \\\\$aMAIN$01\n=952  \\\\$aMAIN$13",
        &ItemMapping::default(),
    ));
    assert_eq!(gone.title, "Gone");
    assert_eq!(gone.copies, vec![]);
}

#[test]
fn a_record_without_copy_fields_is_one_lendable_copy_and_dates_fall_back() {
    let plain = record(read_both(
        "=LDR  00000cam a2200000 i 4500\n\
         =008  840112s1962    pau           00010 eng  \n\
         =111  2\\$aPerl Conference$d(2000)\n=245  10$aTitle only",
        &ItemMapping::default(),
    ));
    assert_eq!(plain.year.as_deref(), Some("1962"));
    assert_eq!(plain.author.as_deref(), Some("Perl Conference"));
    assert_eq!(
        plain.copies,
        vec![Copy {
            lendable: true,
            ..Copy::default()
        }]
    );
    let unknown_date = record(read_both(
        "=LDR  00000cam a2200000 i 4500\n=008  840112s19uu    pau\n=245  10$aT",
        &ItemMapping::default(),
    ));
    assert_eq!(unknown_date.year, None);
}

#[test]
fn a_record_without_a_title_is_rejected() {
    for record in [
        "=LDR  00000cam a2200000 i 4500\n=001  x\n=100  1\\$aNobody",
        "=LDR  00000cam a2200000 i 4500\n=245  10$cby nobody.",
        "=LDR  00000cam a2200000 i 4500\n=245  10$a /",
    ] {
        assert_eq!(
            read_both(record, &ItemMapping::default()),
            Entry::Rejected("no title (245 $a)".into())
        );
    }
}
