//! The real `plivo-dash exporter` binary, started on a free port, and what
//! its pages say.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running exporter. Stopped (SIGTERM) by [`Exporter::stop`], killed if
/// dropped.
pub struct Exporter {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its `--log-file`.
    pub log: PathBuf,
    stderr: mpsc::Receiver<String>,
    /// What it said before it started serving.
    said: Vec<String>,
}

/// An answer: status, content type, body.
pub struct Page {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Exporter {
    /// `plivo-dash exporter --listen 127.0.0.1:0 --log-file HOME/exporter.log
    /// ARGS` with only `env` (and PATH) in its environment, HOME and the XDG
    /// directories in `home`.
    pub fn start(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Self {
        Self::start_under(&[], home, env, args)
    }

    /// [`Exporter::start`], run by `launcher` (`["nohup"]`, say).
    pub fn start_under(
        launcher: &[&str],
        home: &Path,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Self {
        let log = home.join("exporter.log");
        let binary = env!("CARGO_BIN_EXE_plivo-dash");
        let mut command = match launcher {
            [] => Command::new(binary),
            [first, rest @ ..] => {
                let mut command = Command::new(first);
                command.args(rest).arg(binary);
                command
            }
        };
        let mut child = command
            .arg("exporter")
            .args(["--listen", "127.0.0.1:0", "--log-file"])
            .arg(&log)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("PLIVO_DASH_LOG", "debug")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the exporter starts");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut said = Vec::new();
        let url = loop {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    if let Some(rest) = line.split("serving ").nth(1) {
                        let url = rest.split("/metrics").next().expect("a url").to_owned();
                        break url;
                    }
                    said.push(line);
                }
                Err(e) => panic!("the exporter never said where it serves ({e}): {said:?}"),
            }
        };
        Self {
            child,
            url,
            log,
            stderr: rx,
            said,
        }
    }

    /// An exporter of `sandbox`'s account, named by the environment.
    pub fn watching(home: &Path, sandbox: &plivo_dash::sandbox::Handle, args: &[&str]) -> Self {
        let env = [
            ("PLIVO_API_URL", sandbox.base_url.as_str()),
            ("PLIVO_AUTH_ID", sandbox.auth_id.as_str()),
            ("PLIVO_AUTH_TOKEN", super::TOKEN),
        ];
        Self::start(home, &env, args)
    }

    /// GETs `path`, asking for `accept` if given.
    pub async fn get(&self, path: &str, accept: Option<&str>) -> Page {
        let client = reqwest::Client::new();
        let mut request = client.get(format!("{}{path}", self.url));
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        let response = request.send().await.expect("the exporter answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().expect("ascii").to_owned())
            .unwrap_or_default();
        let body = response.text().await.expect("a body");
        Page {
            status,
            content_type,
            body,
        }
    }

    /// The 0.0.4 text, as `curl` gets it.
    pub async fn scrape(&self) -> String {
        let page = self.get("/metrics", None).await;
        assert_eq!(page.status, 200, "{}", page.body);
        page.body
    }

    /// Waits until `/healthz` says every first poll has ended.
    pub async fn ready(&self) {
        let start = Instant::now();
        loop {
            let page = self.get("/healthz", None).await;
            if page.status == 200 {
                return;
            }
            assert_eq!(page.status, 503, "{}", page.body);
            assert!(page.body.contains("waiting"), "{}", page.body);
            assert!(start.elapsed() < Duration::from_secs(20), "never ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until a scrape satisfies `done`, giving the last one.
    pub async fn until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let scrape = self.scrape().await;
            if done(&scrape) {
                return scrape;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never {what}:\n{scrape}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends `signal` (`HUP`, say) to the exporter.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
    }

    /// SIGTERM, then its exit status, everything it said on stderr, and its
    /// log.
    pub fn stop(mut self) -> (ExitStatus, String, String) {
        self.signal("TERM");
        let status = self.child.wait().expect("wait");
        let mut stderr = self.said.join("\n");
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            stderr.push_str(&line);
            stderr.push('\n');
        }
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        (status, stderr, log)
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sandbox with `days` of seeded calls and messages, the store of
/// `home` filled with them as a `usage sync` run first would, and an
/// exporter of the sandbox's account on that store: its own first sync
/// then reads only what is new, in a moment, where a back-fill at Plivo's
/// 20 message pages a minute would take the test's time.
pub struct Stored {
    pub sandbox: plivo_dash::sandbox::Handle,
    pub home: tempfile::TempDir,
    /// The store's file.
    pub store: PathBuf,
    pub exporter: Exporter,
}

impl Stored {
    /// Seeds `days`, fills the store over them and a day more, and starts
    /// the exporter with `usage_days` as deep.
    pub async fn start(days: u32) -> Self {
        use plivo_dash::usage::sync::{self, plan::Depth};
        // The message list's window, Plivo's minute scaled down, and the
        // fill's pace within it.
        let window = Duration::from_millis(400);
        let (sandbox, client) = super::sandbox_and_client(plivo_dash::sandbox::Options {
            traffic_days: days,
            message_window: window,
            ..plivo_dash::sandbox::Options::default()
        })
        .await;
        let home = tempfile::tempdir().expect("a home");
        let config = home.path().join("config/plivo-dash");
        std::fs::create_dir_all(&config).expect("the config directory");
        std::fs::write(
            config.join("config.toml"),
            format!("usage_days = {}\n", days + 1),
        )
        .expect("the config file");
        let store = home
            .path()
            .join("state/plivo-dash")
            .join(plivo_dash::store::FILE_NAME);
        std::fs::create_dir_all(store.parent().expect("a directory")).expect("the state directory");
        let options = sync::Options {
            depth: Depth::Days(days + 1),
            call_gap: Duration::from_millis(1),
            message_gap: window / 20,
            ..sync::Options::default()
        };
        let mut opened = plivo_dash::store::Store::open(&store, jiff::Timestamp::now())
            .expect("the store opens")
            .store;
        sync::sync(
            &client,
            &mut opened,
            &options,
            jiff::Timestamp::now(),
            |_| {},
        )
        .await
        .expect("the store filled");
        drop(opened);
        let exporter = Exporter::watching(home.path(), &sandbox, &["--interval", "600"]);
        exporter.ready().await;
        Self {
            sandbox,
            home,
            store,
            exporter,
        }
    }
}

/// The value of the series of `metric` whose labels contain `labels` (all
/// of them, as written in the exposition, e.g. `code="200"`), if any.
pub fn value(scrape: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    scrape.lines().find_map(|line| {
        let rest = line.strip_prefix(metric)?;
        if !(rest.starts_with('{') || rest.starts_with(' ')) {
            return None;
        }
        let (series, number) = rest.rsplit_once(' ')?;
        labels
            .iter()
            .all(|l| series.contains(l))
            .then(|| number.parse().ok())?
    })
}
