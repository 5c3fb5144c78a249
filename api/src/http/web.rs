//! The staff web client: one page, its script, its style sheet and icon, and
//! GraphiQL with its assets, compiled into the binary (no build step,
//! nothing fetched from elsewhere). The client speaks only the GraphQL API,
//! signed in through `/session`.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono_tz::Tz;

const INDEX: &str = include_str!("../../web/index.html");
const SCRIPT: &str = include_str!("../../web/app.js");
const STYLE: &str = include_str!("../../web/app.css");
const ICON: &[u8] = include_bytes!("../../web/favicon.ico");

/// GraphiQL's page and its assets (`web/graphiql/README.md`), by path.
const GRAPHIQL_PAGE: &str = include_str!("../../web/graphiql/index.html");
const GRAPHIQL_ASSETS: [(&str, &str, &str); 6] = [
    (
        "/graphiql/graphiql.min.js",
        include_str!("../../web/graphiql/graphiql.min.js"),
        JAVASCRIPT,
    ),
    (
        "/graphiql/graphiql.min.css",
        include_str!("../../web/graphiql/graphiql.min.css"),
        CSS,
    ),
    (
        "/graphiql/react.production.min.js",
        include_str!("../../web/graphiql/react.production.min.js"),
        JAVASCRIPT,
    ),
    (
        "/graphiql/react-dom.production.min.js",
        include_str!("../../web/graphiql/react-dom.production.min.js"),
        JAVASCRIPT,
    ),
    (
        "/graphiql/start.js",
        include_str!("../../web/graphiql/start.js"),
        JAVASCRIPT,
    ),
    (
        "/graphiql/start.css",
        include_str!("../../web/graphiql/start.css"),
        CSS,
    ),
];

const HTML: &str = "text/html; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Everything from this server only; no inline script, no framing.
const POLICY: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; \
                      base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// GraphiQL's: as strict about hosts, but its editor sets inline styles and
/// its style sheet embeds fonts and images.
const GRAPHIQL_POLICY: &str = "default-src 'self'; img-src 'self' data:; font-src 'self' data:; \
                               style-src 'self' 'unsafe-inline'; object-src 'none'; \
                               base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The client's routes; the page carries the network's time zone, in which
/// the client shows every time.
pub fn routes<S: Clone + Send + Sync + 'static>(time_zone: Tz) -> Router<S> {
    let index = INDEX.replace("{time_zone}", time_zone.name());
    let mut router = Router::new()
        .route("/", get(move || async move { asset(index, HTML, POLICY) }))
        .route(
            "/app.js",
            get(|| async { asset(SCRIPT, JAVASCRIPT, POLICY) }),
        )
        .route("/app.css", get(|| async { asset(STYLE, CSS, POLICY) }))
        .route(
            "/favicon.ico",
            get(|| async { asset(ICON, "image/x-icon", POLICY) }),
        );
    for (path, body, content_type) in GRAPHIQL_ASSETS {
        router = router.route(
            path,
            get(move || async move { asset(body, content_type, GRAPHIQL_POLICY) }),
        );
    }
    router
}

/// GraphiQL (`GET /graphql`), its assets served by [`routes`].
pub async fn graphiql() -> Response {
    asset(GRAPHIQL_PAGE, HTML, GRAPHIQL_POLICY)
}

fn asset(body: impl Into<Body>, content_type: &'static str, policy: &'static str) -> Response {
    let mut response = Response::new(body.into());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Revalidated on every load, so a new server version is picked up at once.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a
/// path carried in a query string.
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn url_encode_keeps_only_unreserved_characters() {
        assert_eq!(
            super::url_encode("/stats/CT-HFD?from=2026-01-01"),
            "%2Fstats%2FCT-HFD%3Ffrom%3D2026-01-01"
        );
    }
}
