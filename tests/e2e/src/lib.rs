//! Harness for end-to-end tests: starts the real app through tauri-driver (which drives
//! Debian's WebKitWebDriver), hands the test a WebDriver client, and keeps a screenshot of
//! the window when a test fails. Run under Xvfb; `cargo xtask test` sets that up.

use fantoccini::{Client, ClientBuilder, Locator};
use std::error::Error as StdError;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub type Error = Box<dyn StdError + Send + Sync>;
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How long to wait for the UI to show what a step expects. IPC is asynchronous: poll, never sleep.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);
/// How long an app may take to let go of its data folder, or to open its window.
const APP_START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an app whose session has closed may take to quit before it is stopped.
const ORPHAN_GRACE: Duration = Duration::from_secs(15);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The debug app binary that `cargo xtask test` builds before running these tests.
pub fn app_binary() -> PathBuf {
    std::env::var_os("OSCC_APP_BIN").map(PathBuf::from).unwrap_or_else(|| {
        target_dir()
            .join("debug")
            .join(format!("oscc-casebook{}", std::env::consts::EXE_SUFFIX))
    })
}

/// The hub binary `cargo xtask test` builds beside the app.
pub fn hub_binary() -> PathBuf {
    target_dir()
        .join("debug")
        .join(format!("oscc-hub{}", std::env::consts::EXE_SUFFIX))
}

/// Where screenshots go: kept by CI as test artifacts.
pub fn artifacts_dir() -> PathBuf {
    target_dir().join("e2e-artifacts")
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("OSCC_TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    match cargo_home.map(|h| h.join("bin").join("tauri-driver")) {
        Some(path) if path.exists() => path,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// Two free ports, held together while chosen so that they differ.
fn free_ports() -> Result<(u16, u16)> {
    let a = TcpListener::bind("127.0.0.1:0")?;
    let b = TcpListener::bind("127.0.0.1:0")?;
    Ok((a.local_addr()?.port(), b.local_addr()?.port()))
}

/// One running app window and the driver behind it.
pub struct App {
    pub client: Client,
    driver: Child,
    name: String,
    data_dir: PathBuf,
}

impl App {
    /// Starts the app with `--data-dir data_dir`. `name` names the screenshots.
    pub async fn launch(name: &str, data_dir: &Path) -> Result<App> {
        App::launch_with(name, data_dir, &[]).await
    }

    /// `launch`, with these environment variables for the app.
    pub async fn launch_with(name: &str, data_dir: &Path, env: &[(&str, &str)]) -> Result<App> {
        let binary = app_binary();
        if !binary.exists() {
            return Err(format!("app binary {} missing: run `cargo xtask test`", binary.display()).into());
        }
        wait_for_data_folder(data_dir).await?;
        let (port, native_port) = free_ports()?;
        // Free ports, not the defaults: an orphaned WebKitWebDriver on 4445 would hang the run.
        let driver = Command::new(tauri_driver())
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver ({e}): run `cargo xtask setup`"))?;
        let mut guard = DriverGuard(Some(driver));
        wait_for_port(port, Duration::from_secs(15))?;

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": binary, "args": ["--data-dir", data_dir] }),
        );
        // tauri-driver listens before the WebKitWebDriver behind it does: a session asked for
        // too early fails in transport, and is asked for again.
        // A session whose app never comes up (it quit at start) is never answered: bounded.
        let deadline = Instant::now() + Duration::from_secs(15);
        let connect = async {
            loop {
                match ClientBuilder::native()
                    .capabilities(caps.clone())
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await
                {
                    Ok(client) => break Ok(client),
                    Err(
                        fantoccini::error::NewSessionError::Failed(_)
                        | fantoccini::error::NewSessionError::FailedC(_)
                        | fantoccini::error::NewSessionError::Lost(_),
                    ) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
                    Err(e) => break Err(e),
                }
            }
        };
        let client = tokio::time::timeout(APP_START_TIMEOUT, connect)
            .await
            .map_err(|_| format!("the app window did not open within {APP_START_TIMEOUT:?}"))??;
        let driver = guard.0.take().ok_or("driver handle lost")?;
        Ok(App {
            client,
            driver,
            name: name.to_owned(),
            data_dir: data_dir.to_owned(),
        })
    }

    /// Waits until the element at `css` holds text containing `expected`; returns its text.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> Result<String> {
        let deadline = Instant::now() + UI_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                // textContent, not the rendered text: WebKitWebDriver leaves out text in
                // ellipsized cells, and a check that something is absent must see hidden text too.
                last = element
                    .prop("textContent")
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                if last.contains(expected) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("`{css}` never showed {expected:?}; last text was {last:?}").into())
    }

    /// Signs in on the sign-in screen.
    pub async fn sign_in(&self, username: &str, passphrase: &str) -> Result<()> {
        self.fill("input[name=username]", username).await?;
        self.fill("input[name=passphrase]", passphrase).await?;
        self.click("form[data-testid=signin-form] button[type=submit]").await
    }

    /// After a sign-in with a passphrase an administrator set, the app asks for the user's own
    /// before anything else: chooses `own`, and waits for the work to open.
    pub async fn choose_own_passphrase(&self, set_by_admin: &str, own: &str) -> Result<()> {
        self.find("[data-testid=passphrase-forced]").await?;
        self.fill("input[name=current_passphrase]", set_by_admin).await?;
        self.fill("input[name=own_passphrase]", own).await?;
        self.fill("input[name=own_passphrase_again]", own).await?;
        self.click("form[data-testid=passphrase-form] button[type=submit]")
            .await?;
        // The side bar comes only once the passphrase is the user's.
        self.find("nav button").await?;
        Ok(())
    }

    /// Sends the commands that follow to the window whose page has `css` (the app opens a
    /// second window for the conference projector).
    pub async fn switch_to_window_with(&self, css: &str) -> Result<()> {
        let deadline = Instant::now() + UI_TIMEOUT;
        while Instant::now() < deadline {
            for handle in self.client.windows().await? {
                self.client.switch_to_window(handle).await?;
                if self.client.find(Locator::Css(css)).await.is_ok() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Err(format!("no window shows `{css}`").into())
    }

    /// Presses one key with no text field focused: the page's own shortcuts.
    pub async fn press_key(&self, key: char) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        self.client
            .execute("document.activeElement && document.activeElement.blur()", vec![])
            .await?;
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// The element at `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Result<fantoccini::elements::Element> {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(element) => return Ok(element),
                Err(e) if Instant::now() > deadline => return Err(format!("`{css}` never appeared: {e}").into()),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// The element at `css`, scrolled to the middle of the window so the fixed footer or
    /// header never covers it.
    async fn find_visible(&self, css: &str) -> Result<fantoccini::elements::Element> {
        let element = self.find(css).await?;
        let arg = serde_json::to_value(&element)?;
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
            .await?;
        Ok(element)
    }

    /// Types into the field at `css` (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let field = self.find_visible(css).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Clicks the element at `css`. A click that lands on something else (the page was still
    /// laying out after loading) is tried again until it reaches the element.
    pub async fn click(&self, css: &str) -> Result<()> {
        let deadline = Instant::now() + UI_TIMEOUT;
        loop {
            match self.find_visible(css).await?.click().await {
                Ok(_) => return Ok(()),
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::ElementClickIntercepted
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    pub async fn select(&self, css: &str, value: &str) -> Result<()> {
        self.find_visible(css).await?.select_by_value(value).await?;
        Ok(())
    }

    /// Waits until the image at `css` has loaded, has pixels and is painted (an `img` element
    /// alone may still be empty).
    pub async fn wait_for_image(&self, css: &str) -> Result<()> {
        let deadline = Instant::now() + UI_TIMEOUT;
        let script = "const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0;";
        while Instant::now() < deadline {
            let loaded = self.client.execute(script, vec![serde_json::json!(css)]).await?;
            if loaded.as_bool() == Some(true) {
                // Decoded is not yet painted: two animation frames later it is on the screen
                // (a screenshot taken sooner shows the page without it).
                let painted = "const done = arguments[arguments.length - 1]; \
                    requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
                self.client.execute_async(painted, vec![]).await?;
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("the image `{css}` never loaded").into())
    }

    /// The current value of an input.
    pub async fn value(&self, css: &str) -> Result<String> {
        Ok(self.find(css).await?.prop("value").await?.unwrap_or_default())
    }

    /// Saves a PNG of the window as `<test name>-<label>.png` among the artifacts.
    pub async fn screenshot(&self, label: &str) -> Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let dir = artifacts_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}-{label}.png", self.name));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session. On a failed outcome, keeps a screenshot first and says where it is.
    pub async fn finish(self, outcome: Result<()>) -> Result<()> {
        if outcome.is_err() {
            // A window that cannot paint (minimized, hung) never gives one: bounded.
            match tokio::time::timeout(UI_TIMEOUT, self.screenshot("failure")).await {
                Ok(Ok(path)) => eprintln!("screenshot of the failure: {}", path.display()),
                Ok(Err(e)) => eprintln!("no screenshot of the failure: {e}"),
                Err(_) => eprintln!("no screenshot of the failure within {UI_TIMEOUT:?}"),
            }
        }
        let App {
            client,
            driver,
            data_dir,
            ..
        } = self;
        let closed = tokio::time::timeout(UI_TIMEOUT, client.close())
            .await
            .unwrap_or_else(|_| Err(fantoccini::error::CmdError::WaitTimeout));
        drop(DriverGuard(Some(driver)));
        // What the test does next to the folder (or the next launch) finds the app gone.
        let released = wait_for_data_folder(&data_dir).await;
        outcome?;
        released?;
        closed.map_err(Into::into)
    }
}

/// Stops tauri-driver with SIGTERM (only its handler stops WebKitWebDriver), and kills it
/// should it not stop within seconds (elsewhere than Unix, at once).
struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            #[cfg(unix)]
            {
                let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
                let deadline = Instant::now() + Duration::from_secs(10);
                while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits until no app holds `data_dir`: a window closed a moment ago may still be saving
/// and letting go of the folder, and a second app on it would quit at once. An app the driver
/// left running (tauri-driver stopped before WebKitWebDriver had closed it: seen about once
/// in three runs of the protection suite) is stopped after `ORPHAN_GRACE`, and said so.
async fn wait_for_data_folder(data_dir: &Path) -> Result<()> {
    if !data_dir.exists() || released_within(data_dir, ORPHAN_GRACE).await? {
        return Ok(());
    }
    eprintln!(
        "the app on {} outlived its WebDriver session: stopped",
        data_dir.display()
    );
    #[cfg(unix)]
    let _ = Command::new("pkill")
        .args(["-TERM", "-f", "--", &format!("--data-dir {}", data_dir.display())])
        .status();
    if released_within(data_dir, APP_START_TIMEOUT).await? {
        return Ok(());
    }
    Err(format!(
        "an earlier app still held {} after {APP_START_TIMEOUT:?}",
        data_dir.display()
    )
    .into())
}

/// Whether no app holds `data_dir` within `limit`.
async fn released_within(data_dir: &Path, limit: Duration) -> Result<bool> {
    let deadline = Instant::now() + limit;
    loop {
        if casebook::store::layout::hold(data_dir)?.is_some() {
            return Ok(true);
        }
        if Instant::now() > deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn wait_for_port(port: u16, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("tauri-driver did not listen on port {port} within {timeout:?}").into())
}

/// A fresh, empty data folder for one test, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Result<TempDir> {
        let path = std::env::temp_dir().join(format!("oscc-e2e-{name}-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
