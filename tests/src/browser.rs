//! Headless Chromium driven over the DevTools protocol, for the web
//! client's tests: one browser process, one incognito-like context per
//! person (own cookies), pages that run JavaScript, type, click and take
//! screenshots.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

/// How long a page may take to reach what a test waits for.
const WAIT: Duration = Duration::from_secs(20);

/// Debian's `chromium`; installed when absent and we may (root with apt).
pub fn chromium() -> Option<PathBuf> {
    let find = || {
        ["chromium", "chromium-browser"].iter().find_map(|name| {
            let out = std::process::Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .ok()?;
            let path = String::from_utf8(out.stdout).ok()?;
            let path = path.trim();
            (!path.is_empty()).then(|| PathBuf::from(path))
        })
    };
    if let Some(path) = find() {
        return Some(path);
    }
    eprintln!("chromium is absent; trying to install Debian's package");
    let installed = std::process::Command::new("sh")
        .args([
            "-c",
            "command -v apt-get >/dev/null && [ \"$(id -u)\" = 0 ] && \
             (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/dev/null 2>&1",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        find()
    } else {
        None
    }
}

/// Where the tests leave screenshots for people to look at.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("ui-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshot directory");
    dir
}

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, Message>;
type Waiting = Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>;

/// One DevTools connection: commands out, their answers and events back.
struct Connection {
    sink: tokio::sync::Mutex<Sink>,
    next_id: AtomicU64,
    waiting: Arc<Waiting>,
    /// Exceptions and console errors, by session.
    errors: Arc<Mutex<HashMap<String, Vec<String>>>>,
}

impl Connection {
    async fn call(&self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.waiting.lock().unwrap().insert(id, tx);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.sink
            .lock()
            .await
            .send(Message::text(message.to_string()))
            .await
            .expect("send to chromium");
        match tokio::time::timeout(WAIT, rx).await {
            Ok(Ok(Ok(result))) => result,
            Ok(Ok(Err(error))) => panic!("{method}: {error}"),
            _ => panic!("{method}: chromium did not answer"),
        }
    }
}

pub struct Browser {
    child: Child,
    connection: Arc<Connection>,
    profile: PathBuf,
}

impl Browser {
    pub async fn launch() -> Browser {
        let binary = chromium().expect(
            "the web client's tests need Chromium: scripts/test.sh installs Debian's `chromium`",
        );
        let profile =
            std::env::temp_dir().join(format!("ill-chromium-{}", uuid::Uuid::new_v4().simple()));
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromium");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = tokio::time::timeout(WAIT, async {
            while let Some(line) = lines.next_line().await.expect("chromium's stderr") {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("chromium exited before listening");
        })
        .await
        .expect("chromium did not start");
        // Keep draining stderr so chromium never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        let (socket, _) = connect_async(url.as_str())
            .await
            .expect("connect to chromium");
        let (sink, mut stream) = socket.split();
        let waiting: Arc<Waiting> = Arc::default();
        let errors: Arc<Mutex<HashMap<String, Vec<String>>>> = Arc::default();
        let (answers, seen) = (waiting.clone(), errors.clone());
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                if let Some(id) = frame["id"].as_u64() {
                    if let Some(tx) = answers.lock().unwrap().remove(&id) {
                        let answer = match frame.get("error") {
                            Some(error) => Err(error.to_string()),
                            None => Ok(frame["result"].clone()),
                        };
                        let _ = tx.send(answer);
                    }
                    continue;
                }
                let session = frame["sessionId"].as_str().unwrap_or("").to_owned();
                let error = match frame["method"].as_str() {
                    Some("Runtime.exceptionThrown") => {
                        Some(frame["params"]["exceptionDetails"].to_string())
                    }
                    Some("Runtime.consoleAPICalled") if frame["params"]["type"] == "error" => {
                        Some(frame["params"]["args"].to_string())
                    }
                    _ => None,
                };
                if let Some(error) = error {
                    seen.lock().unwrap().entry(session).or_default().push(error);
                }
            }
        });
        Browser {
            child,
            connection: Arc::new(Connection {
                sink: tokio::sync::Mutex::new(sink),
                next_id: AtomicU64::new(1),
                waiting,
                errors,
            }),
            profile,
        }
    }

    /// A new person: a browser context of its own (cookies included).
    pub async fn person(&self) -> String {
        let context = self
            .connection
            .call(None, "Target.createBrowserContext", json!({}))
            .await;
        context["browserContextId"].as_str().unwrap().to_owned()
    }

    /// A new tab of that person.
    pub async fn tab(&self, person: &str, name: &str) -> Page {
        let target = self
            .connection
            .call(
                None,
                "Target.createTarget",
                json!({ "url": "about:blank", "browserContextId": person }),
            )
            .await;
        let attached = self
            .connection
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        let session = attached["sessionId"].as_str().unwrap().to_owned();
        let page = Page {
            connection: self.connection.clone(),
            session,
            name: name.to_owned(),
        };
        page.call("Runtime.enable", json!({})).await;
        page.call("Page.enable", json!({})).await;
        page
    }

    pub async fn close(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One tab.
pub struct Page {
    connection: Arc<Connection>,
    session: String,
    /// Names its screenshots and failures.
    pub name: String,
}

impl Page {
    async fn call(&self, method: &str, params: Value) -> Value {
        self.connection
            .call(Some(&self.session), method, params)
            .await
    }

    pub async fn goto(&self, url: &str) {
        self.call("Page.navigate", json!({ "url": url })).await;
        self.wait_for("document.readyState === 'complete'", "the page to load")
            .await;
    }

    /// Loads the current address again, as a person pressing F5.
    pub async fn reload(&self) {
        self.call("Page.reload", json!({})).await;
        self.wait_for("document.readyState === 'complete'", "the page to reload")
            .await;
    }

    /// Evaluates an expression (awaiting a promise) and returns its value.
    pub async fn eval(&self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
            )
            .await;
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{}: {expression} threw {exception}", self.name);
        }
        result["result"]["value"].clone()
    }

    /// Waits until `condition` (a JavaScript expression) is true.
    pub async fn wait_for(&self, condition: &str, what: &str) {
        let started = std::time::Instant::now();
        loop {
            if self.eval(&format!("!!({condition})")).await == json!(true) {
                return;
            }
            if started.elapsed() > WAIT {
                let body = self
                    .eval("document.body ? document.body.innerText : ''")
                    .await;
                panic!(
                    "{}: waited {WAIT:?} for {what}; the page shows:\n{body}",
                    self.name
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for an element to exist.
    pub async fn wait_for_element(&self, selector: &str) {
        self.wait_for(
            &format!("document.querySelector({})", js(selector)),
            selector,
        )
        .await;
    }

    pub async fn click(&self, selector: &str) {
        self.wait_for_element(selector).await;
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); e.scrollIntoView(); e.click(); }})()",
            js(selector)
        ))
        .await;
    }

    /// Types into a field as a keyboard would (focus, then text input).
    pub async fn type_into(&self, selector: &str, text: &str) {
        self.wait_for_element(selector).await;
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); e.focus(); e.select && e.select(); }})()",
            js(selector)
        ))
        .await;
        self.call("Input.insertText", json!({ "text": text })).await;
    }

    /// Presses Enter in the focused element.
    pub async fn press_enter(&self) {
        for kind in ["keyDown", "keyUp"] {
            let mut key = json!({
                "type": kind, "key": "Enter", "code": "Enter",
                "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13,
            });
            if kind == "keyDown" {
                key["text"] = json!("\r");
            }
            self.call("Input.dispatchKeyEvent", key).await;
        }
    }

    /// Sets a select's or an input's value as a person picking it would.
    pub async fn choose(&self, selector: &str, value: &str) {
        self.wait_for_element(selector).await;
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); e.focus(); e.value = {};
               e.dispatchEvent(new Event('input', {{ bubbles: true }}));
               e.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()",
            js(selector),
            js(value)
        ))
        .await;
    }

    pub async fn text(&self, selector: &str) -> String {
        self.wait_for_element(selector).await;
        self.eval(&format!(
            "document.querySelector({}).innerText",
            js(selector)
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// The page's width and height, as a phone or a desk would show it.
    pub async fn resize(&self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await;
    }

    /// A PNG of the whole page under `target/ui-screenshots/`.
    pub async fn screenshot(&self, file: &str) -> PathBuf {
        self.capture(file, true).await
    }

    /// A PNG of what the window shows (the top of a long page).
    pub async fn screenshot_window(&self, file: &str) -> PathBuf {
        self.capture(file, false).await
    }

    async fn capture(&self, file: &str, whole_page: bool) -> PathBuf {
        let shot = self
            .call(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": whole_page }),
            )
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .expect("a base64 PNG");
        let path = screenshot_dir().join(file);
        std::fs::write(&path, bytes).expect("write the screenshot");
        path
    }

    /// Exceptions and console errors this tab has had.
    pub fn errors(&self) -> Vec<String> {
        self.connection
            .errors
            .lock()
            .unwrap()
            .get(&self.session)
            .cloned()
            .unwrap_or_default()
    }
}

/// A Rust string as a JavaScript string literal.
fn js(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}
