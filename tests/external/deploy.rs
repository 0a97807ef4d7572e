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
        "plivo_spend_usd_total",
        "plivo_spend_by_country_usd",
        "plivo_forecast_month_end_usd",
        "plivo_balance_after_rentals_usd",
        "plivo_usage_sync_age_seconds",
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
        "plivo_spend_usd_total",
        "plivo_spend_by_country_usd",
        "plivo_forecast_month_end_usd",
        "plivo_balance_after_rentals_usd",
        "plivo_usage_sync_age_seconds",
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
    // A bare name: systemd finds the hand-installed binary or the package's.
    assert_eq!(exec, "plivo-dash exporter --listen 127.0.0.1:9747");
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
    // The unit as installed, with this build's binary where systemd's
    // search path would find the installed one.
    let dir = tempfile::tempdir().unwrap();
    let file = unit_running(&unit, env!("CARGO_BIN_EXE_plivo-dash"), dir.path());
    verify(&analyze, &file);
}

/// `unit` written into `dir`, its `ExecStart=` running `binary`.
pub(crate) fn unit_running(unit: &str, binary: &str, dir: &Path) -> std::path::PathBuf {
    let file = dir.join("plivo-dash-exporter.service");
    let unit = unit.replace("ExecStart=plivo-dash ", &format!("ExecStart={binary} "));
    assert!(unit.contains(&format!("ExecStart={binary} ")), "{unit}");
    std::fs::write(&file, unit).expect("the unit written");
    file
}

/// `systemd-analyze verify` has nothing to say about the unit in `file`.
pub(crate) fn verify(analyze: &Path, file: &Path) {
    let output = std::process::Command::new(analyze)
        .arg("verify")
        .arg(file)
        .env("SYSTEMD_LOG_LEVEL", "warning")
        .output()
        .expect("systemd-analyze runs");
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

/// Every value `key` is given in `unit`, in order (a key may be repeated).
fn values<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| *k == key)
        .map(|(_, v)| v)
        .collect()
}

/// Exposure above this fails: today's 1.1 with room for a newer systemd's
/// extra checks, well below the 3.2 the unit scored before its system calls,
/// /proc, users and binds were narrowed (docs/exporter.md).
const MOST_EXPOSURE: f64 = 1.5;

#[test]
fn the_systemd_unit_is_hardened_below_its_old_exposure() {
    let unit = asset("systemd/plivo-dash-exporter.service");
    for (key, value) in [
        ("SystemCallFilter", "@system-service"),
        ("ProtectProc", "invisible"),
        ("ProcSubset", "pid"),
        ("PrivateUsers", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("IPAddressDeny", "link-local multicast"),
        ("SocketBindDeny", "any"),
    ] {
        assert!(
            values(&unit, key).contains(&value),
            "{key}={value}: {:?}",
            values(&unit, key)
        );
    }
    // The one port it binds is the one it is told to listen on.
    let exec = values(&unit, "ExecStart").concat();
    let port = exec.rsplit(':').next().expect("a port");
    assert_eq!(values(&unit, "SocketBindAllow"), [format!("tcp:{port}")]);

    let Some(analyze) = support::installed(
        "systemd-analyze",
        "systemd-analyze security",
        "apt-get install systemd",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = unit_running(&unit, env!("CARGO_BIN_EXE_plivo-dash"), dir.path());
    // --offline reads the file alone, with no systemd running (systemd 250+).
    let output = std::process::Command::new(analyze)
        .args(["security", "--offline=true", "--no-pager"])
        .arg(&file)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        eprintln!(
            "skipped: the exposure score: systemd-analyze security --offline failed \
             (systemd older than 250?): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return;
    }
    let score: f64 = said
        .lines()
        .find_map(|l| l.split_once("Overall exposure level for "))
        .and_then(|(_, rest)| rest.split_once(": "))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no overall exposure in: {said}"));
    eprintln!("systemd-analyze security: exposure {score}");
    assert!(score <= MOST_EXPOSURE, "exposure {score}:\n{said}");
}

/// The package ships the environment file empty; a service enabled before
/// it is filled in must stop, not restart every 10 s for ever.
#[test]
fn the_empty_environment_file_stops_the_service_instead_of_restarting_it() {
    let unit = asset("systemd/plivo-dash-exporter.service");
    let env = asset("systemd/exporter.env");
    let home = tempfile::tempdir().unwrap();
    let mut exporter = std::process::Command::new(env!("CARGO_BIN_EXE_plivo-dash"));
    exporter
        .args(["exporter", "--listen", "127.0.0.1:0"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_STATE_HOME", home.path());
    for line in env.lines().filter(|l| !l.starts_with('#')) {
        if let Some((key, value)) = line.split_once('=') {
            exporter.env(key, value);
        }
    }
    let output = exporter.output().unwrap();
    let code = output.status.code().expect("an exit code, not a signal");
    let prevented: Vec<i32> = values(&unit, "RestartPreventExitStatus")
        .iter()
        .flat_map(|v| v.split_whitespace())
        .map(|n| n.parse().expect("an exit code"))
        .collect();
    assert!(
        prevented.contains(&code),
        "exit {code} ({}) would be restarted: RestartPreventExitStatus={prevented:?}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(values(&unit, "Restart"), ["on-failure"]);
    // Whatever else fails over and over ends, too.
    assert!(
        !values(&unit, "StartLimitBurst").is_empty(),
        "a start limit"
    );
}
