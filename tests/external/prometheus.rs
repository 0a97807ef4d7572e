//! The exporter against the real thing: Debian's `promtool` reads a scrape
//! and the shipped rules, and a real Prometheus server scrapes a running
//! exporter watching a draining sandbox. Each says "skipped" aloud where
//! the package is not installed (`.ci/run` installs it).

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use plivo_dash::sandbox::Options;
use rust_decimal::dec;
use support::exporter::{Exporter, value};
use support::sandbox_and_client;

/// Debian's `prometheus` package's `name`, or `None` having said
/// "skipped" aloud.
fn tool(name: &str, test: &str) -> Option<PathBuf> {
    support::installed(name, test, "apt-get install -y prometheus")
}

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/prometheus")
}

/// An account whose name holds everything a label value must escape.
fn awkward_account() -> plivo_dash::plivo::Account {
    let mut account = plivo_dash::sandbox::demo_account();
    account.name = r#"Wayne "Ent" \ Co {x="1"} # é 🚀"#.to_owned();
    account.cash_credits = dec!(500);
    account
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promtool_accepts_a_scrape_with_awkward_labels() {
    let Some(promtool) = tool("promtool", "promtool check metrics") else {
        return;
    };
    let (sandbox, _) = sandbox_and_client(Options {
        account: awkward_account(),
        subaccounts: 2,
        ..Options::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let exporter = Exporter::watching(home.path(), &sandbox, &["--interval", "600"]);
    exporter.ready().await;
    let scrape = exporter
        .until("counted", |s| {
            value(s, "plivo_account_subaccounts", &[]).is_some()
        })
        .await;
    check_metrics(&promtool, &scrape);
}

/// `promtool check metrics` passes `scrape`, lint and all.
fn check_metrics(promtool: &Path, scrape: &str) {
    let mut check = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool starts");
    std::io::Write::write_all(
        &mut check.stdin.take().expect("its stdin"),
        scrape.as_bytes(),
    )
    .expect("the scrape written to promtool");
    let output = check.wait_with_output().expect("promtool ends");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{said}\n{scrape}");
    assert!(said.trim().is_empty(), "no lint either: {said}");
}

#[test]
fn the_shipped_rules_load_and_pass_their_tests() {
    let Some(promtool) = tool("promtool", "promtool check/test rules") else {
        return;
    };
    for args in [
        ["check", "rules", "plivo-dash.rules.yml"],
        ["test", "rules", "plivo-dash.rules.test.yml"],
    ] {
        let output = Command::new(&promtool)
            .args(args)
            .current_dir(assets())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A Prometheus server, killed when dropped.
struct Prometheus {
    child: Child,
    url: String,
    _data: tempfile::TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    /// The shipped `prometheus.yml`, scraping `target` every second, its
    /// rules evaluated every second, on a free loopback port.
    fn start(binary: &Path, target: &str) -> Self {
        let data = tempfile::tempdir().expect("tempdir");
        let shipped =
            std::fs::read_to_string(assets().join("prometheus.yml")).expect("the shipped config");
        assert!(shipped.contains("127.0.0.1:9747"), "{shipped}");
        let config = shipped
            .replace("127.0.0.1:9747", target)
            .replace("scrape_interval: 30s", "scrape_interval: 1s")
            .replace("evaluation_interval: 30s", "evaluation_interval: 1s")
            .replace(
                "- plivo-dash.rules.yml",
                &format!("- {}", assets().join("plivo-dash.rules.yml").display()),
            );
        let file = data.path().join("prometheus.yml");
        std::fs::write(&file, config).expect("config written");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = std::fs::File::create(data.path().join("prometheus.log")).expect("its log");
        let child = Command::new(binary)
            .arg(format!("--config.file={}", file.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                data.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(log.try_clone().expect("its log"))
            .stderr(log)
            .spawn()
            .expect("prometheus starts");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _data: data,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self._data.path().join("prometheus.log")).unwrap_or_default()
    }

    /// The instant vector `query` as (labels, value) pairs; empty while the
    /// server is starting.
    async fn query(&self, query: &str) -> Vec<(serde_json::Value, f64)> {
        let url =
            url::Url::parse_with_params(&format!("{}/api/v1/query", self.url), [("query", query)])
                .expect("a query URL");
        let Ok(response) = reqwest::get(url).await else {
            return Vec::new();
        };
        let Ok(body) = response.json::<serde_json::Value>().await else {
            return Vec::new();
        };
        body["data"]["result"]
            .as_array()
            .map(|results| {
                results
                    .iter()
                    .filter_map(|r| {
                        let v = r["value"][1].as_str()?.parse().ok()?;
                        Some((r["metric"].clone(), v))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until `query`'s answer satisfies `done`, giving it.
    async fn until(
        &self,
        what: &str,
        query: &str,
        done: impl Fn(&[(serde_json::Value, f64)]) -> bool,
    ) -> Vec<(serde_json::Value, f64)> {
        let start = Instant::now();
        loop {
            let answer = self.query(query).await;
            if done(&answer) {
                return answer;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "Prometheus never saw {what}: {answer:?}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_sees_the_balance_fall_then_the_account_go_down() {
    let Some(binary) = tool("prometheus", "the Prometheus server test") else {
        return;
    };
    // 1 USD a second, polled every second.
    let (sandbox, _) = sandbox_and_client(Options {
        account: awkward_account(),
        drain_per_min: dec!(60),
        ..Options::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let exporter = Exporter::watching(home.path(), &sandbox, &["--interval", "1"]);
    exporter.ready().await;
    let target = exporter.url.trim_start_matches("http://").to_owned();
    let prometheus = Prometheus::start(&binary, &target);

    let first = prometheus
        .until("a balance", "plivo_account_cash_credits", |a| a.len() == 1)
        .await;
    let labels = &first[0].0;
    assert_eq!(labels["profile"], "default");
    assert_eq!(labels["auth_id"], "MA2025RK4E639VJFZAGV");
    assert_eq!(labels["job"], "plivo-dash");
    let start = first[0].1;
    assert!(start <= 500.0 && start > 400.0, "{start}");
    prometheus
        .until("the balance fall", "plivo_account_cash_credits", |a| {
            a.first().is_some_and(|(_, v)| *v <= start - 2.0)
        })
        .await;
    // The name went through both escapings (exposition, then JSON) intact.
    let info = prometheus
        .until("the account's info", "plivo_account_info", |a| a.len() == 1)
        .await;
    assert_eq!(info[0].0["name"], r#"Wayne "Ent" \ Co {x="1"} # é 🚀"#);
    assert_eq!(info[0].0["billing_mode"], "prepaid");
    // The shipped rules are loaded and the scrape itself is healthy.
    prometheus
        .until("the exporter up", r#"up{job="plivo-dash"}"#, |a| {
            a.first().is_some_and(|(_, v)| *v == 1.0)
        })
        .await;
    prometheus
        .until(
            "the shipped alerts loaded",
            r#"count(ALERTS{alertname="PlivoBalanceLow"}) or vector(0)"#,
            |a| !a.is_empty(),
        )
        .await;

    sandbox.shutdown().await.unwrap();
    prometheus
        .until("the account down", "plivo_account_up", |a| {
            a.first().is_some_and(|(_, v)| *v == 0.0)
        })
        .await;
    // Down, yet the last balance is still there, with when it was read.
    let last = prometheus
        .query("plivo_account_cash_credits and on (profile, auth_id) plivo_account_up == 0")
        .await;
    assert_eq!(
        last.len(),
        1,
        "the last balance is still exported: {last:?}"
    );
    assert!(last[0].1 < start, "{last:?}");
    let age = prometheus
        .query("time() - plivo_account_last_success_timestamp_seconds")
        .await;
    assert!(age.first().is_some_and(|(_, v)| *v >= 0.0), "{age:?}");
    let (status, _, _) = exporter.stop();
    assert_eq!(status.code(), Some(0));
    prometheus
        .until("the exporter down", r#"up{job="plivo-dash"}"#, |a| {
            a.first().is_some_and(|(_, v)| *v == 0.0)
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_sees_the_spend_and_the_month_ahead_and_evaluates_the_spike_rule() {
    use rust_decimal::prelude::ToPrimitive as _;
    use support::exporter::Stored;
    let (Some(binary), Some(promtool)) = (
        tool("prometheus", "the Prometheus spend test"),
        tool("promtool", "the Prometheus spend test"),
    ) else {
        return;
    };
    let Stored {
        sandbox,
        home: _home,
        exporter,
        ..
    } = Stored::start(1).await;
    let prometheus = Prometheus::start(&binary, exporter.url.trim_start_matches("http://"));

    let served: rust_decimal::Decimal = sandbox
        .served_by_product(jiff::Timestamp::UNIX_EPOCH, jiff::Timestamp::now())
        .values()
        .map(|(_, amount)| *amount)
        .sum();
    let spend = prometheus
        .until("the spend", "sum(plivo_spend_usd_total)", |a| !a.is_empty())
        .await;
    let served = served.to_f64().unwrap();
    assert!(
        (spend[0].1 - served).abs() < 1e-6,
        "{spend:?} against {served}"
    );
    let countries = prometheus
        .until("the countries", "plivo_spend_by_country_usd", |a| {
            a.len() >= 2
        })
        .await;
    assert!(
        countries.iter().all(|(labels, _)| labels["window"] == "24h"
            && labels["profile"] == "default"
            && labels["job"] == "plivo-dash"),
        "{countries:?}"
    );
    for metric in [
        "plivo_forecast_month_end_usd",
        "plivo_balance_after_rentals_usd",
        "plivo_usage_sync_age_seconds",
    ] {
        prometheus.until(metric, metric, |a| a.len() == 1).await;
    }
    check_metrics(&promtool, &exporter.scrape().await);
    // The spike rule runs on the real series without error (a day of
    // history in the store is none in Prometheus: nothing to judge yet).
    let start = Instant::now();
    loop {
        let rules: serde_json::Value = reqwest::get(format!("{}/api/v1/rules", prometheus.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let spike = rules["data"]["groups"][0]["rules"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["name"] == "PlivoSpendSpike"))
            .cloned()
            .unwrap_or_else(|| panic!("PlivoSpendSpike loaded: {rules}"));
        if spike["health"] == "ok" {
            assert_eq!(spike["state"], "inactive", "{spike}");
            break;
        }
        assert!(
            spike["health"] == "unknown" && start.elapsed() < Duration::from_secs(30),
            "{spike}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (status, _, _) = exporter.stop();
    assert_eq!(status.code(), Some(0));
}
