//! Clustering across libraries' imports (schema.graphql, "The union
//! catalogue"): records join on a shared OCLC number or ISBN-13,
//! transitively; an old id of a merged cluster still finds it; a library
//! that alone bridged two clusters splits them when its file drops the
//! bridge; `lendableBy` follows lending and suspension.

use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

fn libraries(record: &Value) -> Vec<String> {
    record["holdings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["library"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn records_join_on_oclc_numbers_and_isbns(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    // L1's record has an OCLC number and an ISBN; L2's only the ISBN.
    app.import_csv(&net.l1, "L1", "title,author,oclc,isbn\nMoby Dick,Melville,(OCoLC)ocm00000123,9780000000019\n")
        .await;
    app.import_csv(&net.l2, "L2", "title,isbn\nMoby-Dick; or The Whale,0-00-000001-X\n")
        .await;
    let record = app.catalog_record(&net.l2, "isbn:9780000000019").await;
    assert_eq!(record["id"], "ocolc:123");
    assert_eq!(record["title"], "Moby Dick", "L1 comes first: its record represents");
    assert_eq!(record["oclcNumbers"], json!(["123"]));
    assert_eq!(libraries(&record), ["L1", "L2"]);
    assert_eq!(record["lendableBy"], 2);
    assert_eq!(app.catalog_record(&net.l2, "ocolc:(OCoLC)123").await["id"], "ocolc:123");
    assert_eq!(app.catalog_record(&net.l2, "isbn:9780000000026").await, Value::Null);
    assert_eq!(app.catalog_record(&net.l2, "nonsense").await, Value::Null);

    // Records with neither join by their key: title, author, year, edition.
    app.import_csv(&net.l3, "L3", "title,author,year\nWalden,Thoreau,1854\n").await;
    app.import_csv(&net.bor, "BOR", "title,author,year\nWALDEN.,thoreau,c1854\n").await;
    let key = "key:8766096751e417e4e590609f8a7759023d3591b93585c86014dea8ea01c897c6";
    let walden = app.catalog_record(&net.l1, key).await;
    assert_eq!(walden["id"], key);
    assert_eq!(libraries(&walden), ["BOR", "L3"]);
    assert_eq!(walden["title"], "WALDEN.", "BOR comes first");
}
on_both_backends!(records_join_on_oclc_numbers_and_isbns);

async fn clusters_merge_transitively_and_split_again(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    app.import_csv(&net.l1, "L1", "title,oclc,isbn\nOne,500,9780000000019\n").await;
    app.import_csv(&net.l3, "L3", "title,oclc,isbn\nThree,7,9780000000026\n").await;
    assert_eq!(app.catalog_record(&net.l1, "ocolc:500").await["id"], "ocolc:500");
    assert_eq!(app.catalog_record(&net.l1, "ocolc:7").await["id"], "ocolc:7");

    // L2's record holds both ISBNs: the three become one, named by the
    // smallest OCLC number; the old id still finds it.
    let bridge = "title,isbn\nTwo,9780000000019;9780000000026\n";
    app.import_csv(&net.l2, "L2", bridge).await;
    let merged = app.catalog_record(&net.l1, "ocolc:500").await;
    assert_eq!(merged["id"], "ocolc:7");
    assert_eq!(merged["title"], "One", "L1's record represents");
    assert_eq!(merged["oclcNumbers"], json!(["7", "500"]));
    assert_eq!(merged["isbns"], json!(["9780000000019", "9780000000026"]));
    assert_eq!(libraries(&merged), ["L1", "L2", "L3"]);
    assert_eq!(merged["lendableBy"], 3);

    // Re-importing the bridge changes nothing.
    app.import_csv(&net.l2, "L2", bridge).await;
    assert_eq!(app.catalog_record(&net.l1, "isbn:9780000000026").await, merged);

    // Without the bridge, the cluster splits again.
    app.import_csv(&net.l2, "L2", "title,isbn\nTwo,9780000000019\n").await;
    let one = app.catalog_record(&net.l1, "ocolc:500").await;
    assert_eq!(one["id"], "ocolc:500");
    assert_eq!(libraries(&one), ["L1", "L2"]);
    let three = app.catalog_record(&net.l1, "isbn:9780000000026").await;
    assert_eq!(three["id"], "ocolc:7");
    assert_eq!(libraries(&three), ["L3"]);
    assert_eq!(three["title"], "Three");
}
on_both_backends!(clusters_merge_transitively_and_split_again);

async fn lendable_by_follows_lending_and_suspension(backend: Backend) {
    let net = Network::new(backend).await;
    let app = &net.app;
    let file = "title,isbn,lendable\nEmma,9780000000033,true\n";
    app.import_csv(&net.l1, "L1", file).await;
    app.import_csv(&net.l2, "L2", file).await;
    app.import_csv(&net.l3, "L3", "title,isbn,lendable\nEmma,9780000000033,false\n").await;
    let lendable_by = || async {
        app.catalog_record(&net.l1, "isbn:9780000000033").await["lendableBy"].clone()
    };
    assert_eq!(lendable_by().await, 2);
    app.ok(
        &app.admin,
        "mutation { setLendingSuspended(library: \"L1\", suspended: true) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(lendable_by().await, 1);
    app.ok(
        &app.admin,
        "mutation { updateLibrary(input: {id: \"L2\", lends: false}) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(lendable_by().await, 0);
    app.ok(
        &app.admin,
        "mutation { setLendingSuspended(library: \"l1\", suspended: false) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(lendable_by().await, 1);
    let holdings = app.catalog_record(&net.l1, "isbn:9780000000033").await["holdings"].clone();
    let lendable: Vec<bool> = holdings
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["lendable"].as_bool().unwrap())
        .collect();
    assert_eq!(lendable, [true, true, false]);
}
on_both_backends!(lendable_by_follows_lending_and_suspension);
