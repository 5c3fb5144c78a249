//! The union catalogue's HTTP side for tests: holdings files posted whole,
//! or streamed by hand (chunked, a part at a time) to hold an import open.

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::TestApp;

pub const RECORD: &str = "query($id: ID!) { catalogRecord(id: $id) {
    id title author publisher year edition isbns issns oclcNumbers lccn lendableBy
    holdings { library { id } localId callNumber location lendable } } }";

impl TestApp {
    /// POSTs a whole holdings file, a second after the last (imports are
    /// listed by their time); the status and the JSON body.
    pub async fn import_holdings(
        &self,
        token: Option<&str>,
        library: &str,
        content_type: &str,
        body: impl Into<String>,
    ) -> (u16, Value) {
        self.clock.advance(chrono::Duration::seconds(1));
        let mut request = self
            .client
            .post(format!("{}/holdings/{library}", self.base))
            .header("content-type", content_type)
            .body(body.into());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("POST /holdings");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(json!(text)))
    }

    /// Imports a CSV file, which must succeed; its summary.
    pub async fn import_csv(&self, token: &str, library: &str, csv: &str) -> Value {
        let (status, summary) = self
            .import_holdings(Some(token), library, "text/csv", csv)
            .await;
        assert_eq!(status, 200, "import failed: {summary}");
        summary
    }

    /// `catalogRecord(id)`, or null.
    pub async fn catalog_record(&self, token: &str, id: &str) -> Value {
        self.ok(token, RECORD, json!({ "id": id })).await["catalogRecord"].clone()
    }

    /// Opens `POST /holdings/LIBRARY` with a chunked body and sends nothing
    /// of it yet.
    pub async fn open_import(&self, token: &str, library: &str, content_type: &str) -> Upload {
        let address = self.base.trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&address).await.expect("connect");
        let head = format!(
            "POST /holdings/{library} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.expect("send the head");
        Upload { stream }
    }
}

/// A holdings file being sent by hand.
pub struct Upload {
    stream: TcpStream,
}

impl Upload {
    pub async fn send(&mut self, part: &[u8]) {
        let mut chunk = format!("{:x}\r\n", part.len()).into_bytes();
        chunk.extend_from_slice(part);
        chunk.extend_from_slice(b"\r\n");
        self.stream.write_all(&chunk).await.expect("send a part");
        self.stream.flush().await.expect("flush");
    }

    /// Ends the body; the status and the JSON body of the answer.
    pub async fn finish(mut self) -> (u16, Value) {
        self.stream.write_all(b"0\r\n\r\n").await.expect("end the body");
        self.answer().await
    }

    /// The answer, without ending the body (a refusal comes first).
    pub async fn answer(mut self) -> (u16, Value) {
        let mut raw = Vec::new();
        self.stream.read_to_end(&mut raw).await.expect("read the answer");
        let text = String::from_utf8_lossy(&raw);
        let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        (status, serde_json::from_str(body).unwrap_or(json!(body)))
    }
}

/// A CSV of `rows` generated records, ISBN-less, each with a distinct title.
pub fn generated_csv(rows: usize, prefix: &str) -> String {
    let mut csv = String::from("title,author,local_id,call_number\n");
    for i in 0..rows {
        csv.push_str(&format!("{prefix} volume {i},Author {i},{prefix}-{i},QA {i}\n"));
    }
    csv
}

/// The one integer a query of the test's store answers.
pub async fn count(database_url: &str, sql: &str) -> i64 {
    let database = store::Database::connect(database_url).await.expect("the store");
    let value: i64 = store::on_db!(&database, pool => {
        sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
    });
    database.close().await;
    value
}

/// Runs statements on the test's store (what a crashed process left).
pub async fn execute(database_url: &str, sql: &str) {
    let database = store::Database::connect(database_url).await.expect("the store");
    store::on_db!(&database, pool => {
        sqlx::raw_sql(sql).execute(pool).await.expect(sql);
    });
    database.close().await;
}

/// Waits (polling) until `sql` counts at least `at_least`.
pub async fn until_count(database_url: &str, sql: &str, at_least: i64) {
    for _ in 0..600 {
        if count(database_url, sql).await >= at_least {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{sql} never reached {at_least}");
}
