//! The deployment assets agree with the exporter: every metric the alert
//! rules and the Grafana dashboard use is one it exports, and the systemd
//! unit is one systemd accepts, running the exporter unprivileged.

use crate::support;

use std::collections::BTreeSet;
use std::path::Path;

use plivo_dash::sandbox::Options;
use support::exporter::Exporter;
use support::sandbox_and_client;

fn asset(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets")
            .join(path),
    )
    .expect("the asset exists")
}

/// The `plivo_…` names in `text`.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("plivo_") {
        let name: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[at + name.len()..];
        names.insert(name);
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rules_and_the_dashboard_use_only_exported_metrics() {
    let (sandbox, _) = sandbox_and_client(Options::default()).await;
    let home = tempfile::tempdir().unwrap();
    let exporter = Exporter::watching(home.path(), &sandbox, &[]);
    exporter.ready().await;
    // Every family is described, samples or not.
    let exported: BTreeSet<String> = exporter
        .scrape()
        .await
        .lines()
        .filter_map(|l| {
            l.strip_prefix("# TYPE ")?
                .split(' ')
                .next()
                .map(str::to_owned)
        })
        .collect();
    for name in [
        "plivo_account_cash_credits",
        "plivo_account_up",
        "plivo_account_last_success_timestamp_seconds",
        "plivo_account_burn_rate_usd_per_hour",
        "plivo_account_runway_seconds",
        "plivo_account_auto_recharge",
        "plivo_account_info",
        "plivo_account_subaccounts",
        "plivo_api_requests_total",
        "plivo_exporter_build_info",
    ] {
        assert!(
            exported.contains(name),
            "{name}, as docs/exporter.md's table of metrics promises: {exported:?}"
        );
    }
    let dashboard: serde_json::Value =
        serde_json::from_str(&asset("grafana/plivo-dash.json")).expect("valid JSON");
    let mut exprs = String::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().expect("targets") {
            exprs.push_str(target["expr"].as_str().expect("an expr"));
            exprs.push('\n');
        }
    }
    for (what, text) in [
        ("the dashboard", exprs),
        ("the rules", asset("prometheus/plivo-dash.rules.yml")),
    ] {
        let used = metric_names(&text);
        assert!(!used.is_empty(), "{what} uses the metrics");
        for name in &used {
            assert!(
                exported.contains(name),
                "{what} uses {name}, never exported"
            );
        }
    }
    let shown: BTreeSet<String> = metric_names(&asset("grafana/plivo-dash.json"));
    for name in [
        "plivo_account_cash_credits",
        "plivo_account_burn_rate_usd_per_hour",
        "plivo_account_runway_seconds",
    ] {
        assert!(shown.contains(name), "the dashboard shows {name}");
    }
}

/// Two exporters (jobs, or instances of one job) watching profiles of the
/// same name must not be drawn as one series.
#[test]
fn every_dashboard_query_picks_its_job_and_instance() {
    let dashboard: serde_json::Value =
        serde_json::from_str(&asset("grafana/plivo-dash.json")).expect("valid JSON");
    let variables: Vec<(&str, &str)> = dashboard["templating"]["list"]
        .as_array()
        .expect("template variables")
        .iter()
        .map(|v| {
            (
                v["name"].as_str().expect("a name"),
                v["query"]["query"].as_str().expect("a query"),
            )
        })
        .collect();
    let names: Vec<&str> = variables.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        ["job", "instance", "profile"],
        "chosen in that order"
    );
    // Each offers only what the ones before it allow.
    for (name, query) in &variables {
        let before = names.iter().take_while(|n| *n != name);
        for earlier in before {
            assert!(
                query.contains(&format!("{earlier}=~\"${earlier}\"")),
                "{name}: {query}"
            );
        }
    }
    let selectors = [
        r#"job=~"$job""#,
        r#"instance=~"$instance""#,
        r#"profile=~"$profile""#,
    ];
    let mut queries = 0;
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"].as_str().expect("an expr");
            let title = panel["title"].as_str().unwrap_or_default();
            for name in metric_names(expr) {
                for (at, _) in expr.match_indices(name.as_str()) {
                    let rest = &expr[at + name.len()..];
                    let selector = rest
                        .strip_prefix('{')
                        .and_then(|r| r.split_once('}'))
                        .map(|(inside, _)| inside)
                        .unwrap_or_else(|| panic!("{title}: {name} has no selector in {expr}"));
                    for wanted in selectors {
                        assert!(
                            selector.split(", ").any(|m| m == wanted),
                            "{title}: {name} does not filter on {wanted}: {expr}"
                        );
                    }
                    queries += 1;
                }
            }
            let legend = target["legendFormat"].as_str().expect("a legend");
            assert!(legend.contains("{{instance}}"), "{title}: {legend}");
        }
    }
    assert!(queries >= 5, "every panel's query was read");
}

#[test]
fn the_systemd_unit_runs_the_exporter_unprivileged_with_its_token_from_a_file() {
    let unit = asset("systemd/plivo-dash-exporter.service");
    let directives: Vec<(&str, &str)> = unit
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .collect();
    let has = |key: &str, value: &str| directives.contains(&(key, value));
    assert!(has("DynamicUser", "yes"), "its own unprivileged user");
    assert!(has("EnvironmentFile", "/etc/plivo-dash/exporter.env"));
    assert!(has("NoNewPrivileges", "yes"));
    assert!(has("CapabilityBoundingSet", ""));
    let exec = directives
        .iter()
        .find(|(k, _)| *k == "ExecStart")
        .map(|(_, v)| *v)
        .expect("ExecStart");
    assert!(
        exec.ends_with("plivo-dash exporter --listen 127.0.0.1:9747"),
        "{exec}"
    );
    // Descriptors to spare beyond the connections it holds at once.
    let files: u32 = directives
        .iter()
        .find(|(k, _)| *k == "LimitNOFILE")
        .map(|(_, v)| v.parse().expect("a number of files"))
        .expect("LimitNOFILE");
    assert!(
        files >= 2 * u32::from(plivo_dash::exporter::http::MAX_CONNECTIONS),
        "LimitNOFILE={files}"
    );
    assert!(!unit.contains("PLIVO_AUTH_TOKEN"), "no token in the unit");
    let env = asset("systemd/exporter.env");
    assert!(env.contains("\nPLIVO_AUTH_TOKEN=\n"), "{env}");

    let Some(analyze) = support::installed(
        "systemd-analyze",
        "systemd-analyze verify",
        "apt-get install systemd",
    ) else {
        return;
    };
    // The unit as installed, pointing at this build's binary.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plivo-dash-exporter.service");
    std::fs::write(
        &file,
        unit.replace(
            "/usr/local/bin/plivo-dash",
            env!("CARGO_BIN_EXE_plivo-dash"),
        ),
    )
    .unwrap();
    let output = std::process::Command::new(analyze)
        .arg("verify")
        .arg(&file)
        .env("SYSTEMD_LOG_LEVEL", "warning")
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let about_the_unit: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("plivo-dash-exporter.service"))
        .collect();
    assert!(
        output.status.success() && about_the_unit.is_empty(),
        "systemd-analyze verify: {said}"
    );
}
