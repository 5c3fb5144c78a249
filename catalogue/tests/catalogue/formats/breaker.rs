//! Hand-written records in MARC breaker style (`=245  10$aTitle$bRest`, `\`
//! or a blank for a blank indicator), written out as ISO 2709 or MARCXML so
//! that both readers are tested on the same record.

/// One record's breaker lines: `=LDR  ` then the 24-byte leader (its length
/// and base address are filled in), `=TAG  DATA`.
pub fn iso2709(record: &str) -> Vec<u8> {
    let (leader, fields) = parse(record);
    let mut directory = Vec::new();
    let mut data = Vec::new();
    for (tag, content) in &fields {
        let start = data.len();
        data.extend_from_slice(content);
        data.push(0x1E);
        directory.extend_from_slice(format!("{tag}{:04}{start:05}", data.len() - start).as_bytes());
    }
    directory.push(0x1E);
    let base = 24 + directory.len();
    let length = base + data.len() + 1;
    let mut out = format!("{length:05}{}{base:05}{}", &leader[5..12], &leader[17..24]).into_bytes();
    out.extend(directory);
    out.extend(data);
    out.push(0x1D);
    out
}

/// Records' breaker lines as a MARCXML collection in the slim namespace
/// with the `marc:` prefix.
pub fn marcxml(records: &[&str]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <marc:collection xmlns:marc=\"http://www.loc.gov/MARC21/slim\">\n",
    );
    for record in records {
        let (leader, fields) = parse(record);
        out.push_str(&format!(
            "<marc:record><marc:leader>{leader}</marc:leader>\n"
        ));
        for (tag, content) in fields {
            let content = String::from_utf8(content).expect("breaker text is UTF-8");
            if tag.starts_with("00") {
                out.push_str(&format!(
                    "<marc:controlfield tag=\"{tag}\">{}</marc:controlfield>\n",
                    escape(&content)
                ));
                continue;
            }
            let mut parts = content.split('\u{1F}');
            let indicators: Vec<char> = parts.next().unwrap_or_default().chars().collect();
            out.push_str(&format!(
                "<marc:datafield tag=\"{tag}\" ind1=\"{}\" ind2=\"{}\">",
                indicators[0], indicators[1]
            ));
            for subfield in parts {
                let mut chars = subfield.chars();
                let code = chars.next().expect("a subfield code");
                out.push_str(&format!(
                    "<marc:subfield code=\"{code}\">{}</marc:subfield>",
                    escape(chars.as_str())
                ));
            }
            out.push_str("</marc:datafield>\n");
        }
        out.push_str("</marc:record>\n");
    }
    out.push_str("</marc:collection>\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

/// The leader and each field's tag and ISO 2709 content.
fn parse(record: &str) -> (String, Vec<(String, Vec<u8>)>) {
    let mut leader = String::new();
    let mut fields = Vec::new();
    for line in record
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
    {
        let tag = &line[1..4];
        let value = &line[6..];
        if tag == "LDR" {
            leader = value.to_owned();
        } else if tag.starts_with("00") {
            fields.push((tag.to_owned(), value.as_bytes().to_vec()));
        } else {
            let indicators = value[..2].replace('\\', " ");
            let subfields = value[2..].replace('$', "\u{1F}");
            fields.push((
                tag.to_owned(),
                format!("{indicators}{subfields}").into_bytes(),
            ));
        }
    }
    assert_eq!(leader.len(), 24, "a leader of 24 bytes");
    (leader, fields)
}
