//! Holdings imports over HTTP (`POST /holdings/LIBRARY`, CLI.md): a file
//! replaces the library's holdings whole; a broken one changes nothing;
//! bad records are rejected with their reasons and positions; who may
//! import; one import per library at a time, and an abandoned one taken
//! over; commands keep flowing while a large file streams in.

use ill_tests::catalogue::generated_csv;
use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

const IMPORTS: &str = "query($library: ID) { holdingsImports(library: $library) {
    id library { id } by format records holdings rejected errors { record reason } } }";

const FIRST: &str = "title,author,isbn,local_id,call_number,location,lendable
Moby Dick,Melville,9780000000019,b1,PS 1,Main,true
Walden,Thoreau,9780000000026,b2,PS 2,Annex,false
";

fn ids(holdings: &Value) -> Vec<String> {
    holdings
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["localId"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn a_file_replaces_the_librarys_holdings_whole(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let summary = app.import_csv(&net.l1, "L1", FIRST).await;
    assert_eq!(summary["library"], "L1");
    assert_eq!(summary["format"], "csv");
    assert_eq!(
        (
            &summary["records"],
            &summary["holdings"],
            &summary["rejected"]
        ),
        (&json!(2), &json!(2), &json!(0))
    );
    let moby = app.catalog_record(&net.l1, "isbn:9780000000019").await;
    assert_eq!(moby["title"], "Moby Dick");
    assert_eq!(moby["lendableBy"], 1);
    assert_eq!(
        moby["holdings"],
        json!([{ "library": { "id": "L1" }, "localId": "b1", "callNumber": "PS 1",
                 "location": "Main", "lendable": true }])
    );
    let walden = app.catalog_record(&net.l1, "isbn:9780000000026").await;
    assert_eq!(walden["lendableBy"], 0, "its only copy does not lend");

    // The same file again changes nothing.
    app.import_csv(&net.l1, "L1", FIRST).await;
    assert_eq!(
        app.catalog_record(&net.l1, "isbn:9780000000019").await,
        moby
    );
    assert_eq!(
        app.catalog_record(&net.l1, "isbn:9780000000026").await,
        walden
    );

    // A new file replaces the whole: Walden goes, Emma comes.
    let second = "title,isbn,local_id\nMoby Dick,9780000000019,c1\nEmma,9780000000033,c3\n";
    app.import_csv(&net.l1, "L1", second).await;
    assert_eq!(
        app.catalog_record(&net.l1, "isbn:9780000000026").await,
        Value::Null
    );
    let moby = app.catalog_record(&net.l1, "isbn:9780000000019").await;
    assert_eq!(ids(&moby["holdings"]), ["c1"]);
    assert_eq!(
        app.catalog_record(&net.l1, "isbn:9780000000033").await["title"],
        "Emma"
    );

    // A file with only its header empties the library's holdings.
    let emptied = app.import_csv(&net.l1, "L1", "title,isbn\n").await;
    assert_eq!(
        (&emptied["records"], &emptied["holdings"]),
        (&json!(0), &json!(0))
    );
    for id in ["isbn:9780000000019", "isbn:9780000000033"] {
        assert_eq!(app.catalog_record(&net.l1, id).await, Value::Null);
    }
    let imports = app.ok(&net.l1, IMPORTS, json!({ "library": "L1" })).await;
    let counts: Vec<i64> = imports["holdingsImports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["holdings"].as_i64().unwrap())
        .collect();
    assert_eq!(
        counts,
        [0, 2, 2, 2],
        "every import recorded, the latest first"
    );
    assert_eq!(imports["holdingsImports"][0]["by"], "l1-staff");
}
on_both_backends!(a_file_replaces_the_librarys_holdings_whole);

async fn a_broken_file_changes_nothing_and_bad_records_are_rejected(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    app.import_csv(&net.l1, "L1", FIRST).await;
    let before = app.catalog_record(&net.l1, "isbn:9780000000019").await;
    let (status, body) = app
        .import_holdings(Some(&net.l1), "L1", "text/csv", "colour,title\nred,Emma\n")
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("colour"), "{body}");
    assert_eq!(
        app.catalog_record(&net.l1, "isbn:9780000000019").await,
        before
    );
    let imports = app.ok(&net.l1, IMPORTS, json!({ "library": "L1" })).await;
    assert_eq!(imports["holdingsImports"].as_array().unwrap().len(), 1);

    let file = "title,isbn,lendable\nEmma,9780000000033,true\n,9780000000040,true\n\
                Persuasion,978-bad,true\nSanditon,9780000000057,maybe\nMansfield Park,,true\n";
    let summary = app.import_csv(&net.l1, "L1", file).await;
    assert_eq!(
        (
            &summary["records"],
            &summary["holdings"],
            &summary["rejected"]
        ),
        (&json!(5), &json!(2), &json!(3))
    );
    let positions: Vec<i64> = summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["record"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [2, 3, 4]);
    assert!(summary["errors"][1]["reason"]
        .as_str()
        .unwrap()
        .contains("978-bad"));
    assert_eq!(
        app.catalog_record(&net.l1, "isbn:9780000000033").await["title"],
        "Emma"
    );
    let imports = app
        .ok(&net.coordinator, IMPORTS, json!({ "library": "L1" }))
        .await;
    assert_eq!(imports["holdingsImports"][0]["errors"], summary["errors"]);
}
on_both_backends!(a_broken_file_changes_nothing_and_bad_records_are_rejected);

async fn who_may_import_and_what(backend: Backend) {
    let net = Network::new_with(backend, |settings| {
        settings.security.max_import_bytes = 1024;
    })
    .await;
    let app = &net.app;
    let csv = "title\nEmma\n";
    let status = |(status, _): (u16, Value)| status;
    assert_eq!(
        status(app.import_holdings(None, "L1", "text/csv", csv).await),
        401
    );
    assert_eq!(
        status(
            app.import_holdings(Some("nonsense"), "L1", "text/csv", csv)
                .await
        ),
        401
    );
    assert_eq!(
        status(
            app.import_holdings(Some(&net.l2), "L1", "text/csv", csv)
                .await
        ),
        403
    );
    assert_eq!(
        status(
            app.import_holdings(Some(&net.l1), "NOPE", "text/csv", csv)
                .await
        ),
        404
    );
    assert_eq!(
        status(
            app.import_holdings(Some(&net.l1), "L1", "text/plain", csv)
                .await
        ),
        415
    );
    let big = generated_csv(100, "big");
    assert_eq!(
        status(
            app.import_holdings(Some(&net.l1), "L1", "text/csv", big.clone())
                .await
        ),
        413
    );
    // Without a length given, the stream is cut where it passes the limit.
    let mut upload = app.open_import(&net.l1, "L1", "text/csv").await;
    upload.send(big.as_bytes()).await;
    assert_eq!(upload.answer().await.0, 413);
    // A coordinator imports for any library; staff for their own, in any case.
    app.import_csv(&net.coordinator, "L2", csv).await;
    app.import_csv(&net.l1, "l1", csv).await;
    let imports = app.ok(&net.coordinator, IMPORTS, json!({})).await;
    let libraries: Vec<&str> = imports["holdingsImports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["library"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(libraries, ["L1", "L2"]);
    assert_eq!(
        app.error_code(Some(&net.l2), IMPORTS, json!({ "library": "L1" }))
            .await,
        "FORBIDDEN"
    );
    assert_eq!(
        app.error_code(Some(&net.l2), IMPORTS, json!({})).await,
        "FORBIDDEN"
    );
    let metrics = app.get("/metrics").await.1;
    for limit in ["import_too_large", "import_content_type"] {
        assert!(metrics.contains(limit), "no {limit} in the metrics");
    }
}
on_both_backends!(who_may_import_and_what);

/// `ill-server holdings import` on the server's store: the summary on
/// stdout and exit 0; a broken file or bad usage exit 2; no store exit 3.
async fn the_command_line_imports_a_file(backend: Backend) {
    let net = Network::new(backend).await;
    let dir = std::env::temp_dir().join(format!("ill-holdings-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("holdings.csv");
    std::fs::write(
        &good,
        "title,isbn\nEmma,9780000000033\nPersuasion,978-bad\n",
    )
    .unwrap();
    let broken = dir.join("broken.csv");
    std::fs::write(&broken, "colour\nred\n").unwrap();
    let run = |url: &str, args: &[&str]| {
        let mut command = std::process::Command::new(ill_tests::nodes::server_binary());
        command
            .args(["--database-url", url, "holdings", "import"])
            .args(args);
        command.output().expect("run ill-server")
    };
    let url = net.app.database_url.clone();
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let done = run(&url, &["--library", "l3", &path(&good)]);
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let summary: Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(
        (
            &summary["library"],
            &summary["records"],
            &summary["rejected"]
        ),
        (&json!("L3"), &json!(2), &json!(1))
    );
    assert_eq!(
        net.app.catalog_record(&net.l1, "isbn:9780000000033").await["holdings"][0]["library"]["id"],
        "L3"
    );
    let bad_usage = [
        ["--library", "L3", &path(&broken)]
            .map(str::to_owned)
            .to_vec(),
        ["--library", "NOPE", &path(&good)]
            .map(str::to_owned)
            .to_vec(),
        ["--library", "L3", "--format", "xml", &path(&good)]
            .map(str::to_owned)
            .to_vec(),
        ["--library", "L3", &path(&dir.join("absent.csv"))]
            .map(str::to_owned)
            .to_vec(),
        ["--library", "L3", &path(&dir)].map(str::to_owned).to_vec(),
    ];
    for args in bad_usage {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(run(&url, &args).status.code(), Some(2), "{args:?}");
    }
    let unreachable = run(
        "postgres://postgres@127.0.0.1:1/none",
        &["--library", "L3", &path(&good)],
    );
    assert_eq!(unreachable.status.code(), Some(3));
    std::fs::remove_dir_all(&dir).unwrap();
}
on_both_backends!(the_command_line_imports_a_file);

/// One MARCXML record whose copy is in Sierra's 949 (`$l` location, `$a`
/// call number), a tag read only through the `items` mapping.
const SIERRA: &str = r#"<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<leader>00000nam a2200000 a 4500</leader><controlfield tag="001">s1</controlfield>
<datafield tag="020" ind1=" " ind2=" "><subfield code="a">9780000000040</subfield></datafield>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">Middlemarch</subfield></datafield>
<datafield tag="949" ind1=" " ind2=" "><subfield code="l">Stacks</subfield><subfield code="a">PR 4662</subfield></datafield>
</record></collection>"#;

async fn the_route_reads_other_item_tags_through_its_items_mapping(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let marcxml = "application/marcxml+xml";
    let (status, _) = app
        .import_holdings(Some(&net.l1), "L1", marcxml, SIERRA)
        .await;
    assert_eq!(status, 200);
    let unmapped = app.catalog_record(&net.l1, "isbn:9780000000040").await;
    assert_eq!(
        unmapped["holdings"],
        json!([{ "library": { "id": "L1" }, "localId": "s1", "callNumber": null,
                 "location": null, "lendable": true }]),
        "without a mapping the 949 is not a copy: the record is one plain holding"
    );

    let (status, body) = app
        .import_holdings(Some(&net.l1), "L1?items=949%3Al", marcxml, SIERRA)
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().starts_with("items: "),
        "{body}"
    );
    assert_eq!(
        app.catalog_record(&net.l1, "isbn:9780000000040").await,
        unmapped,
        "a mapping that cannot be read changes nothing"
    );

    let mapped = "L1?items=949%3Al%3Dlocation%2C949%3Aa%3Dcall_number";
    let (status, summary) = app
        .import_holdings(Some(&net.l1), mapped, marcxml, SIERRA)
        .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        app.catalog_record(&net.l1, "isbn:9780000000040").await["holdings"],
        json!([{ "library": { "id": "L1" }, "localId": "s1", "callNumber": "PR 4662",
                 "location": "Stacks", "lendable": true }])
    );
}
on_both_backends!(the_route_reads_other_item_tags_through_its_items_mapping);
