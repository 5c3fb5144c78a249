//! MARCXML: pymarc's and Zebra's sample collections, prefixed or not, and
//! files that are not MARCXML or not well-formed.

use catalogue::formats::{Entry, Format, ItemMapping};
use catalogue::record::Copy;

use super::{gunzip, read_bytes, read_fixture, records, rejections};

fn read_xml(text: &str) -> Result<Vec<Entry>, String> {
    read_bytes(
        Format::MarcXml,
        text.as_bytes().to_vec(),
        &ItemMapping::default(),
    )
    .map_err(|broken| broken.reason)
}

#[test]
fn pymarc_s_collection_and_single_record_are_read() {
    let entries = read_fixture(Format::MarcXml, "pymarc/batch.xml").unwrap();
    let found = records(&entries);
    assert_eq!(entries.len(), 2);
    assert_eq!(found[0].title, "The Great Ray Charles");
    assert_eq!(found[0].lccn.as_deref(), Some("91758335"));
    assert_eq!(
        found[0].copies,
        vec![Copy {
            local_id: Some("5637241".into()),
            lendable: true,
            ..Copy::default()
        }]
    );

    // A lone <record> with the ns0: prefix; a tag of two digits is dropped.
    let entries = read_fixture(Format::MarcXml, "pymarc/bad_tag.xml").unwrap();
    let found = records(&entries);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].title, "The Untamed");
    assert_eq!(found[0].author.as_deref(), Some("Brand, Max"));
    assert_eq!(found[0].publisher.as_deref(), Some("Project Gutenberg"));
    assert_eq!(found[0].year.as_deref(), Some("2004"));
}

#[test]
fn zebra_s_collections_are_read_with_and_without_a_prefix() {
    let opera = read_bytes(
        Format::MarcXml,
        gunzip("marcxml/collection-opera-43.xml.gz"),
        &ItemMapping::default(),
    )
    .unwrap();
    assert!(rejections(&opera).is_empty());
    let found = records(&opera);
    assert_eq!(found.len(), 43);
    assert_eq!(found[0].copies[0].local_id.as_deref(), Some("4055693"));
    let with_oclc = found
        .iter()
        .filter(|record| !record.oclc_numbers.is_empty())
        .count();
    assert_eq!(with_oclc, 12);
    let with_isbn: Vec<&Vec<String>> = found
        .iter()
        .map(|record| &record.isbns)
        .filter(|isbns| !isbns.is_empty())
        .collect();
    assert!(with_isbn.contains(&&vec![
        "9780814727355".to_string(),
        "9780814727362".to_string()
    ]));

    let prefixed = read_bytes(
        Format::MarcXml,
        gunzip("marcxml/collection-2.xml.gz"),
        &ItemMapping::default(),
    )
    .unwrap();
    let found = records(&prefixed);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].title, "The Great Ray Charles");
}

#[test]
fn text_and_entities_are_read_as_written() {
    let entries = read_xml(
        "<record xmlns=\"http://www.loc.gov/MARC21/slim\"><leader>00000cam a2200000 i 4500</leader>\
         <datafield tag=\"245\" ind1=\"1\" ind2=\"0\"><subfield code=\"a\">Tom &amp; Jerry&#x20;&#233;t&#xE9; \
         <![CDATA[<cut>]]> /</subfield></datafield><datafield tag=\"020\" ind1=\" \" ind2=\" \">\
         <subfield code=\"a\">0306406152</subfield><subfield code=\"\">ignored</subfield></datafield></record>",
    )
    .unwrap();
    let found = records(&entries);
    assert_eq!(found[0].title, "Tom & Jerry été <cut>");
    assert_eq!(found[0].isbns, vec!["9780306406157".to_string()]);
    assert_eq!(read_xml("<collection/>"), Ok(vec![]));
    assert_eq!(
        read_xml("<record/>"),
        Ok(vec![Entry::Rejected("no title (245 $a)".into())])
    );
}

#[test]
fn a_file_that_is_not_marcxml_or_not_well_formed_is_broken() {
    let broken = |text: &str| read_xml(text).unwrap_err();
    assert_eq!(broken(""), "not MARCXML: the file has no root element");
    assert_eq!(
        broken("<?xml version=\"1.0\"?><html><body/></html>"),
        "not MARCXML: the root element is <html>, not a MARC 21 slim <collection> or <record>"
    );
    assert_eq!(
        broken("<x:collection xmlns:x=\"urn:other\"/>"),
        "not MARCXML: the root element is <x:collection>, not a MARC 21 slim <collection> or <record>"
    );
    assert_eq!(
        broken("title,author\n"),
        "not MARCXML: the file has text before its root element"
    );

    // Records before the damage are read; the damage ends the file.
    let cut = "<collection><record><datafield tag=\"245\" ind1=\"0\" ind2=\"0\">\
               <subfield code=\"a\">First</subfield></datafield></record>\
               <record><datafield tag=\"245\"><subfield code=\"a\">Second</datafield></record></collection>";
    let items = ItemMapping::default();
    let mut entries = catalogue::formats::read(Format::MarcXml, cut.as_bytes(), &items).unwrap();
    assert!(matches!(entries.next(), Some(Ok(Entry::Record(record))) if record.title == "First"));
    let damage = entries.next().unwrap().unwrap_err().reason;
    assert!(
        damage.starts_with("the XML is not well-formed: "),
        "{damage}"
    );
    assert_eq!(entries.next(), None);

    assert_eq!(
        broken("<collection><record>"),
        "the XML is not well-formed: the file ends before its root element closes"
    );
    let undefined = broken(
        "<collection><record><datafield tag=\"245\"><subfield code=\"a\">&nbsp;</subfield>\
         </datafield></record></collection>",
    );
    assert_eq!(
        undefined,
        "the XML is not well-formed: the entity &nbsp; is not defined"
    );
}
