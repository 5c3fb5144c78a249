//! `--items TAG:SUBFIELD=FIELD,...`: what it accepts and what it refuses.

use catalogue::formats::{ItemField, ItemMapping};

#[test]
fn a_mapping_names_each_subfield_s_field() {
    let mapping = ItemMapping::parse(
        "949:l=location, 949:a=call_number,949:b=call_number,945:s=not_for_loan,945:o=lendable",
    )
    .unwrap();
    assert!(mapping.maps(b"949"));
    assert!(mapping.maps(b"945"));
    assert!(!mapping.maps(b"852"));
    assert_eq!(mapping.field(b"949", b'l'), Some(ItemField::Location));
    assert_eq!(mapping.field(b"949", b'a'), Some(ItemField::CallNumber));
    assert_eq!(mapping.field(b"949", b'b'), Some(ItemField::CallNumber));
    assert_eq!(mapping.field(b"945", b's'), Some(ItemField::NotForLoan));
    assert_eq!(mapping.field(b"945", b'o'), Some(ItemField::Lendable));
    assert_eq!(mapping.field(b"949", b'z'), None);
    assert_eq!(mapping.field(b"945", b'l'), None);
}

#[test]
fn a_malformed_mapping_says_what_is_wrong() {
    let cases = [
        ("", "has no '='"),
        ("949:l", "has no '='"),
        ("949l=location", "has no ':'"),
        ("94:l=location", "has a tag that is not three digits"),
        ("9a9:l=location", "has a tag that is not three digits"),
        ("001:a=location", "names a control field"),
        ("852:b=location", "maps 852 or 952"),
        ("952:o=call_number", "maps 852 or 952"),
        (
            "949:ll=location",
            "has a subfield code that is not one letter or digit",
        ),
        (
            "949:=location",
            "has a subfield code that is not one letter or digit",
        ),
        ("949:l=shelf", "has an unknown field"),
        (
            "949:l=location,949:l=call_number",
            "maps a subfield already mapped",
        ),
        ("949:l=location,", "has no '='"),
    ];
    for (text, why) in cases {
        let error = ItemMapping::parse(text).expect_err(text).0;
        assert!(error.contains(why), "{text}: {error}");
        assert!(
            error.contains("expected TAG:SUBFIELD=FIELD"),
            "{text}: {error}"
        );
    }
}
