//! Headless Chromium driven over WebDriver (Debian's `chromedriver`, spoken
//! to through fantoccini), for the web client's tests: one browser per
//! person (own profile, own cookies), tabs that run JavaScript, type, click
//! and take screenshots.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand, WindowHandle};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a page may take to reach what a test waits for.
const WAIT: Duration = Duration::from_secs(20);

/// Chromium's switches: headless, nothing fetched from outside, and the
/// window size the screenshots are taken at.
const SWITCHES: [&str; 12] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,900",
];

/// The first of `names` on the PATH; when none is, Debian's `package` is
/// installed first if we may (root with apt).
fn installed(names: &[&str], package: &str) -> Option<PathBuf> {
    let find = || {
        names.iter().find_map(|name| {
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
    eprintln!("{} is absent; trying to install Debian's package", names[0]);
    let installed = std::process::Command::new("sh")
        .args([
            "-c",
            &format!(
                "command -v apt-get >/dev/null && [ \"$(id -u)\" = 0 ] && \
                 (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q {package}) >/dev/null 2>&1"
            ),
        ])
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        find()
    } else {
        None
    }
}

/// Debian's `chromium`; installed when absent and we may (root with apt).
pub fn chromium() -> Option<PathBuf> {
    installed(&["chromium", "chromium-browser"], "chromium")
}

/// Debian's `chromedriver` (package `chromium-driver`), installed likewise.
pub fn chromedriver() -> Option<PathBuf> {
    installed(&["chromedriver"], "chromium-driver")
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

/// A command of chromedriver's beyond the W3C set, under the session.
#[derive(Debug)]
struct Extension {
    path: &'static str,
    body: Value,
}

impl Extension {
    /// A DevTools command run in the current window, for what WebDriver
    /// has no command for (a phone's viewport, a whole-page screenshot).
    fn devtools(method: &str, params: Value) -> Extension {
        Extension {
            path: "goog/cdp/execute",
            body: json!({ "cmd": method, "params": params }),
        }
    }

    /// The browser's console log since the last read.
    fn console_log() -> Extension {
        Extension {
            path: "se/log",
            body: json!({ "type": "browser" }),
        }
    }
}

impl WebDriverCompatibleCommand for Extension {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a WebDriver session");
        base_url.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// One chromedriver; each person gets a Chromium of their own from it.
pub struct Browser {
    driver: Child,
    url: String,
    chromium: PathBuf,
    /// Each person's session and profile, closed and removed at the end.
    sessions: Mutex<Vec<(Client, PathBuf)>>,
}

impl Browser {
    pub async fn launch() -> Browser {
        let chromium = chromium().expect(
            "the web client's tests need Chromium: scripts/test.sh installs Debian's `chromium`",
        );
        let driver = chromedriver().expect(
            "the web client's tests need chromedriver: scripts/test.sh installs Debian's `chromium-driver`",
        );
        // Its own process group, so that the browsers it starts end with it.
        let mut driver = Command::new(driver)
            .arg("--port=0")
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let mut lines = BufReader::new(driver.stdout.take().unwrap()).lines();
        let port = tokio::time::timeout(WAIT, async {
            while let Some(line) = lines.next_line().await.expect("chromedriver's stdout") {
                if let Some(rest) = line.split("started successfully on port ").nth(1) {
                    return rest.trim_end_matches('.').to_owned();
                }
            }
            panic!("chromedriver exited before listening");
        })
        .await
        .expect("chromedriver did not start");
        // Keep draining stdout so chromedriver never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Browser {
            driver,
            url: format!("http://127.0.0.1:{port}"),
            chromium,
            sessions: Mutex::default(),
        }
    }

    /// A new person: a browser of their own (cookies included).
    pub async fn person(&self) -> Person {
        let profile =
            std::env::temp_dir().join(format!("ill-chromium-{}", uuid::Uuid::new_v4().simple()));
        let mut args: Vec<String> = SWITCHES.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let wait = WAIT.as_millis() as u64;
        let capabilities: Capabilities = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": self.chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
            "timeouts": { "script": wait, "pageLoad": wait },
        }))
        .unwrap();
        let client = tokio::time::timeout(
            WAIT,
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&self.url),
        )
        .await
        .expect("chromedriver did not start a browser")
        .expect("a browser from chromedriver");
        let window = client.window().await.expect("the browser's window");
        self.sessions
            .lock()
            .unwrap()
            .push((client.clone(), profile));
        Person {
            session: Arc::new(Session {
                client,
                current: tokio::sync::Mutex::new(window.clone()),
                spare: Mutex::new(Some(window)),
                errors: Mutex::default(),
            }),
        }
    }

    /// A new tab of that person: its first window, then windows of its own.
    pub async fn tab(&self, person: &Person, name: &str) -> Page {
        let session = person.session.clone();
        let spare = session.spare.lock().unwrap().take();
        let window = match spare {
            Some(window) => window,
            None => {
                let _current = session.current.lock().await;
                session
                    .client
                    .new_window(false)
                    .await
                    .expect("a new window")
                    .handle
            }
        };
        Page {
            session,
            window,
            name: name.to_owned(),
        }
    }

    /// Ends each person's session (their browser quits) and removes their
    /// profiles; chromedriver ends as the browser is dropped.
    pub async fn close(self) {
        let sessions = std::mem::take(&mut *self.sessions.lock().unwrap());
        for (client, profile) in sessions {
            let _ = tokio::time::timeout(WAIT, client.close()).await;
            let _ = std::fs::remove_dir_all(&profile);
        }
    }
}

impl Drop for Browser {
    /// chromedriver's whole process group goes, so a test that fails midway
    /// leaves no browser behind either.
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// One person's browser: a WebDriver session, whose commands go to one
/// window at a time.
struct Session {
    client: Client,
    /// The window commands go to; held while a tab's command runs.
    current: tokio::sync::Mutex<WindowHandle>,
    /// The window the browser opened with, until a tab takes it.
    spare: Mutex<Option<WindowHandle>>,
    /// Exceptions and console errors, as read so far.
    errors: Mutex<Vec<String>>,
}

impl Session {
    /// Reads the console log: exceptions and `console.error` calls are kept.
    async fn read_errors(&self) {
        let Ok(Value::Array(entries)) = self.client.issue_cmd(Extension::console_log()).await
        else {
            return;
        };
        let errors = entries.into_iter().filter(|entry| {
            entry["source"] == "javascript"
                || (entry["source"] == "console-api" && entry["level"] == "SEVERE")
        });
        self.errors
            .lock()
            .unwrap()
            .extend(errors.map(|entry| entry["message"].to_string()));
    }
}

/// A person, to open tabs for.
pub struct Person {
    session: Arc<Session>,
}

/// One tab.
pub struct Page {
    session: Arc<Session>,
    window: WindowHandle,
    /// Names its screenshots and failures.
    pub name: String,
}

impl Page {
    /// Runs WebDriver commands in this tab (its window made current first),
    /// then reads the console.
    async fn run<T, F>(&self, what: &str, commands: impl FnOnce(Client) -> F) -> T
    where
        F: Future<Output = Result<T, CmdError>>,
    {
        let client = self.session.client.clone();
        let result = {
            let mut current = self.session.current.lock().await;
            tokio::time::timeout(WAIT, async {
                if *current != self.window {
                    client.switch_to_window(self.window.clone()).await?;
                    *current = self.window.clone();
                }
                commands(client.clone()).await
            })
            .await
        };
        self.session.read_errors().await;
        match result {
            Ok(Ok(value)) => value,
            Ok(Err(error)) => panic!("{}: {what}: {error}", self.name),
            Err(_) => panic!("{}: {what}: chromium did not answer", self.name),
        }
    }

    /// A DevTools command in this tab.
    async fn devtools(&self, method: &str, params: Value) -> Value {
        self.run(method, |client| async move {
            client.issue_cmd(Extension::devtools(method, params)).await
        })
        .await
    }

    pub async fn goto(&self, url: &str) {
        self.run(&format!("going to {url}"), |client| async move {
            client.goto(url).await
        })
        .await;
        self.wait_for("document.readyState === 'complete'", "the page to load")
            .await;
    }

    /// Lets this tab's downloads be saved into `dir` (headless Chromium
    /// drops them otherwise), as a person's downloads folder.
    pub async fn download_to(&self, dir: &Path) {
        std::fs::create_dir_all(dir).expect("create the download directory");
        self.devtools(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": dir }),
        )
        .await;
    }

    /// Loads the current address again, as a person pressing F5.
    pub async fn reload(&self) {
        self.run("reloading", |client| async move { client.refresh().await })
            .await;
        self.wait_for("document.readyState === 'complete'", "the page to reload")
            .await;
    }

    /// Evaluates an expression (awaiting a promise) and returns its value.
    pub async fn eval(&self, expression: &str) -> Value {
        let script = format!("return ({expression}\n);");
        self.run(&format!("evaluating {expression}"), |client| async move {
            client.execute(&script, Vec::new()).await
        })
        .await
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

    /// Types into a field as a keyboard would (focus, then the keys).
    pub async fn type_into(&self, selector: &str, text: &str) {
        self.wait_for_element(selector).await;
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); e.focus(); e.select && e.select(); }})()",
            js(selector)
        ))
        .await;
        self.run(&format!("typing into {selector}"), |client| async move {
            client.active_element().await?.send_keys(text).await
        })
        .await;
    }

    /// Presses Enter in the focused element.
    pub async fn press_enter(&self) {
        let enter = char::from(Key::Enter);
        let keys = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: enter })
            .then(KeyAction::Up { value: enter });
        self.run("pressing Enter", |client| async move {
            client.perform_actions(keys).await
        })
        .await;
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
        self.devtools(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await;
    }

    /// A PNG of the whole page under `target/ui-screenshots/`.
    pub async fn screenshot(&self, file: &str) -> PathBuf {
        let shot = self
            .devtools(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .expect("a base64 PNG");
        save(file, &bytes)
    }

    /// A PNG of what the window shows (the top of a long page).
    pub async fn screenshot_window(&self, file: &str) -> PathBuf {
        let bytes = self
            .run("taking a screenshot", |client| async move {
                client.screenshot().await
            })
            .await;
        save(file, &bytes)
    }

    /// Exceptions and console errors in this person's tabs, as read after
    /// each command.
    pub fn errors(&self) -> Vec<String> {
        self.session.errors.lock().unwrap().clone()
    }
}

fn save(file: &str, png: &[u8]) -> PathBuf {
    let path = screenshot_dir().join(file);
    std::fs::write(&path, png).expect("write the screenshot");
    path
}

/// A Rust string as a JavaScript string literal.
fn js(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The harness hears a page's exceptions and `console.error` calls, in
    /// any tab of the person, and not plain logs.
    #[tokio::test]
    async fn console_errors_and_exceptions_are_heard() {
        let browser = Browser::launch().await;
        let person = browser.person().await;
        let first = browser.tab(&person, "first").await;
        let second = browser.tab(&person, "second").await;
        first
            .goto("data:text/html,<script>console.log('fine')</script>")
            .await;
        assert!(first.errors().is_empty(), "{:#?}", first.errors());
        second
            .goto("data:text/html,<script>console.error('probe'); throw new Error('boom')</script>")
            .await;
        let errors = first.errors();
        assert!(
            errors.iter().any(|e| e.contains("probe")) && errors.iter().any(|e| e.contains("boom")),
            "{errors:#?}"
        );
        browser.close().await;
    }
}
