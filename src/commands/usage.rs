//! `usage`: spend over a window from the records in the store, by product,
//! subaccount, country, number or day, as a table, JSON or CSV; synced
//! first unless `--no-sync`. `usage sync`: the sync alone, with progress on
//! stderr.

use std::time::Duration;

use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{Exit, Failure};
use crate::cli::{Global, UsageArgs, UsageBy, UsageCommand, UsageSyncArgs};
use crate::config::Settings;
use crate::plivo::{Client, Http};
use crate::store::{self, GroupBy, Kind, Store, SyncPosition, Total};
use crate::usage::sync::plan::{self, Depth};
use crate::usage::sync::{self, Progress, Report, SyncError};

/// How often `usage sync` says how far it has got.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// Opens the store in `settings`' state directory, saying on stderr if a
/// damaged one was set aside.
pub(super) fn open(settings: &Settings, now: Timestamp) -> Result<Store, Failure> {
    let Some(dir) = &settings.state_dir else {
        return Err(Failure::Usage(
            "this system has no state directory to keep the usage records in".to_owned(),
        ));
    };
    let opened = Store::open(&dir.join(store::FILE_NAME), now)?;
    if let Some(notice) = opened.notice {
        crate::say!("plivo-dash: {notice}");
    }
    Ok(opened.store)
}

fn sync_failure(error: SyncError) -> Failure {
    match error {
        SyncError::Api(e) => Failure::Api(e),
        SyncError::Store(e) => Failure::Store(e),
        e @ SyncError::TooLong { .. } => Failure::WaitTooLong(e.to_string()),
    }
}

fn list_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Call => "calls",
        Kind::Message => "messages",
    }
}

/// `usage sync`: syncs the account now, back-filling `--days` (or what
/// the month ahead needs) at `--message-rate`, with progress on stderr. Returns
/// the summary to print.
pub async fn sync_now(
    settings: &Settings,
    client: &Client,
    args: &UsageSyncArgs,
    now: Timestamp,
) -> Result<String, Failure> {
    let mut store = open(settings, now)?;
    let options = sync::Options {
        depth: args
            .days
            .or(settings.usage_days)
            .map_or(Depth::MonthAhead, Depth::Days),
        message_gap: std::time::Duration::from_secs(60) / args.message_rate,
        long_wait: sync::LONG_WAIT,
        ..sync::Options::default()
    };
    let mut said = Said::new(std::time::Instant::now());
    let report = sync::sync(client, &mut store, &options, now, |p| {
        said.progress(p, true)
    })
    .await
    .map_err(sync_failure)?;
    Ok(summary(&report))
}

/// Progress said on stderr, at most every [`PROGRESS_EVERY`].
struct Said {
    last: std::time::Instant,
    read: [u64; 2],
    /// Read again from the subaccounts' lists, by list.
    claimed: [u64; 2],
}

impl Said {
    fn new(started: std::time::Instant) -> Self {
        Self {
            last: started,
            read: [0; 2],
            claimed: [0; 2],
        }
    }

    /// Says `p` if it is time; the number of rented numbers only when
    /// `numbers` (a sync asked for says every step, one run before
    /// printing says only what takes a while).
    fn progress(&mut self, p: Progress<'_>, numbers: bool) {
        match p {
            Progress::Numbers { count } if numbers => {
                crate::say!("plivo-dash: {count} rented numbers");
            }
            Progress::Numbers { .. } => {}
            Progress::Waiting { kind, wait } => crate::say!(
                "plivo-dash: rate limited: Plivo asks to wait {} s before the next page of {}; \
                 waiting (up to {} s in all)",
                wait.as_secs(),
                list_name(kind),
                sync::LONG_WAIT.as_secs()
            ),
            Progress::Claimed {
                kind,
                subaccount,
                records,
            } => {
                let i = usize::from(kind == Kind::Message);
                self.claimed[i] += u64::try_from(records).unwrap_or(u64::MAX);
                if self.last.elapsed() >= PROGRESS_EVERY {
                    self.last = std::time::Instant::now();
                    crate::say!(
                        "plivo-dash: reading the subaccounts' {} to say whose each is: {} read, \
                         now {subaccount}'s",
                        list_name(kind),
                        self.claimed[i]
                    );
                }
            }
            Progress::Page {
                kind,
                records,
                position,
                ..
            } => {
                let i = usize::from(kind == Kind::Message);
                self.read[i] += u64::try_from(records).unwrap_or(u64::MAX);
                if self.last.elapsed() >= PROGRESS_EVERY {
                    self.last = std::time::Instant::now();
                    crate::say!(
                        "plivo-dash: syncing {}: {} read, {}",
                        list_name(kind),
                        self.read[i],
                        reach(position)
                    );
                }
            }
        }
    }
}

/// How far back a list's records reach.
fn reach(position: &SyncPosition) -> String {
    match (position.backfill_done, position.backfill) {
        (true, Some(edge)) => format!("back-filled to {edge}"),
        (false, Some(edge)) => format!("back-filling, at {edge}"),
        (_, None) => "not back-filled yet".to_owned(),
    }
}

/// `n` things, the noun in the plural unless there is one.
fn counted(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn summary(report: &Report) -> String {
    let mut out = String::new();
    for list in &report.lists {
        out.push_str(&format!(
            "{}: {} read in {}; {}; newest {}\n",
            list_name(list.kind),
            counted(list.records, "record"),
            counted(u64::from(list.pages), "page"),
            reach(&list.position),
            list.position
                .newest
                .map_or_else(|| "none yet".to_owned(), |n| n.to_string())
        ));
        if list.claimed > 0 {
            out.push_str(&format!(
                "{}: {} records read again from the subaccounts' lists, to say whose\n",
                list_name(list.kind),
                list.claimed
            ));
        }
        if let Some(why) = &list.unasked {
            out.push_str(&format!(
                "{}: not every subaccount's list was read ({why}); the next sync asks again\n",
                list_name(list.kind)
            ));
        }
        if let Some(d) = &list.disagreement {
            out.push_str(&format!(
                "{}: the server's pages disagreed ({d}); the next sync reads on from there\n",
                list_name(list.kind)
            ));
        }
    }
    if let Some(d) = &report.numbers_disagreement {
        out.push_str(&format!(
            "numbers: the list disagreed with itself ({d}); the numbers stored were kept\n"
        ));
    }
    out
}

/// Syncs the account before reading a window from `since`: as deep as the
/// window needs, no deeper (at the message list's 20 pages a minute, a
/// month can take a while), and quiet unless it takes a while (a back-fill).
pub(super) async fn sync_since(
    client: &Client,
    store: &mut Store,
    since: Timestamp,
    now: Timestamp,
) -> Result<(), Failure> {
    let options = sync::Options {
        // As deep as the window needs, no deeper: at the message list's 20
        // pages a minute, a month can take a while.
        depth: Depth::Since(since),
        long_wait: sync::LONG_WAIT,
        ..sync::Options::default()
    };
    let mut said = Said::new(std::time::Instant::now());
    sync::sync(client, store, &options, now, |p| said.progress(p, false))
        .await
        .map(drop)
        .map_err(sync_failure)
}

/// One account's spend over the window, as read from the store.
#[derive(Debug)]
pub struct Spend {
    /// The profile, when several are printed.
    pub profile: Option<String>,
    auth_id: String,
    since: Timestamp,
    until: Timestamp,
    by: UsageBy,
    rows: Vec<Total>,
    unattributed: Total,
    calls: SyncPosition,
    messages: SyncPosition,
}

/// The window `args` asks for at `now`: `--since` (default the first of
/// the month, UTC) to `--until` (default now).
fn window(args: &UsageArgs, now: Timestamp) -> Result<(Timestamp, Timestamp), Failure> {
    let since = args
        .since
        .map_or_else(|| plan::start(now, Depth::MonthToDate), |w| w.at(now));
    let until = args.until.map_or(now, |w| w.at(now));
    // Records' times are whole seconds: so are the window's ends.
    let (since, until) = (plan::whole_second(since), plan::whole_second(until));
    if since >= until {
        return Err(Failure::Usage(format!(
            "--since {since} is not before --until {until}"
        )));
    }
    Ok((since, until))
}

/// `usage`: syncs (unless `--no-sync`) and reads one account's spend.
pub async fn spend(
    settings: &Settings,
    client: &Client,
    args: &UsageArgs,
    now: Timestamp,
) -> Result<Spend, Failure> {
    let (since, until) = window(args, now)?;
    let mut store = open(settings, now)?;
    if !args.no_sync {
        sync_since(client, &mut store, since, now).await?;
    }
    let auth_id = client.auth_id().to_string();
    let by = group_by(args.by);
    let rows = store.totals(&auth_id, since, until, by)?;
    let unattributed = store
        .totals(&auth_id, since, until, GroupBy::Subaccount)?
        .into_iter()
        .find(|t| t.key.is_none())
        .unwrap_or(Total {
            key: None,
            count: 0,
            amount: Decimal::ZERO,
        });
    let spend = Spend {
        profile: None,
        auth_id,
        since,
        until,
        by: args.by,
        rows,
        unattributed,
        calls: store.position(client.auth_id().as_str(), Kind::Call)?,
        messages: store.position(client.auth_id().as_str(), Kind::Message)?,
    };
    for warning in spend.freshness(args.no_sync) {
        crate::say!("plivo-dash: {warning}");
    }
    Ok(spend)
}

impl Spend {
    /// What to say on stderr about how fresh and how deep the records are.
    fn freshness(&self, no_sync: bool) -> Vec<String> {
        let mut said = Vec::new();
        let lists = [(Kind::Call, &self.calls), (Kind::Message, &self.messages)];
        if no_sync {
            let through: Vec<String> = lists
                .iter()
                .map(|(kind, p)| {
                    format!(
                        "{} {}",
                        list_name(*kind),
                        p.newest
                            .map_or_else(|| "never".to_owned(), |n| n.to_string())
                    )
                })
                .collect();
            said.push(format!(
                "from the store, not synced now: newest records {}",
                through.join(", ")
            ));
        }
        for (kind, p) in lists {
            match p.backfill {
                None => said.push(format!(
                    "no {} are stored yet: the totals are not the spend; \
                     `plivo-dash usage sync` reads them",
                    list_name(kind)
                )),
                Some(edge) if edge > self.since => said.push(format!(
                    "{} are stored only from {edge}, after --since: `plivo-dash usage sync --days N` \
                     reads further back (up to 90 days)",
                    list_name(kind)
                )),
                Some(_) => {}
            }
        }
        said
    }

    fn total(&self) -> Total {
        Total {
            key: None,
            count: self.rows.iter().map(|r| r.count).sum(),
            amount: self.rows.iter().map(|r| r.amount).sum(),
        }
    }

    fn json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| json!({"key": r.key, "amount": money(r.amount), "count": r.count}))
            .collect();
        let mut object = json!({
            "auth_id": self.auth_id,
            "since": self.since.to_string(),
            "until": self.until.to_string(),
            "currency": "USD",
            "by": by_name(self.by),
            "rows": rows,
            "total": money(self.total().amount),
            "unattributed": money(self.unattributed.amount),
            "synced_through": {
                "calls": self.calls.newest.map(|n| n.to_string()),
                "messages": self.messages.newest.map(|n| n.to_string()),
            },
        });
        if let Some(profile) = &self.profile {
            object["profile"] = Value::from(profile.as_str());
        }
        object
    }
}

fn by_name(by: UsageBy) -> &'static str {
    match by {
        UsageBy::Product => "product",
        UsageBy::Subaccount => "subaccount",
        UsageBy::Country => "country",
        UsageBy::Number => "number",
        UsageBy::Day => "day",
    }
}

/// An amount exactly, with at least the five places Plivo writes.
pub(super) fn money(amount: Decimal) -> String {
    let mut shown = amount.normalize();
    if shown.scale() < 5 {
        shown.rescale(5);
    }
    shown.to_string()
}

/// A group with no key, as a person reads it.
fn no_key(by: UsageBy) -> &'static str {
    crate::usage::view::unnamed(group_by(by))
}

fn group_by(by: UsageBy) -> GroupBy {
    match by {
        UsageBy::Product => GroupBy::Product,
        UsageBy::Subaccount => GroupBy::Subaccount,
        UsageBy::Country => GroupBy::Country,
        UsageBy::Number => GroupBy::Number,
        UsageBy::Day => GroupBy::Day,
    }
}

/// The accounts' spend as asked: `--json`, `--csv` or a table.
pub fn render(spends: &[Spend], args: &UsageArgs) -> Result<String, Failure> {
    let several = spends.iter().any(|s| s.profile.is_some());
    if args.json {
        let value = if several {
            Value::Array(spends.iter().map(Spend::json).collect())
        } else {
            spends.first().map_or(Value::Null, Spend::json)
        };
        return serde_json::to_string_pretty(&value)
            .map(|t| t + "\n")
            .map_err(|e| Failure::Usage(format!("cannot encode the usage: {e}")));
    }
    if args.csv {
        let mut out = String::from(if several {
            "profile,key,count,amount\n"
        } else {
            "key,count,amount\n"
        });
        for spend in spends {
            for row in &spend.rows {
                if let Some(profile) = &spend.profile {
                    out.push_str(&super::history::csv_field(profile));
                    out.push(',');
                }
                out.push_str(&format!(
                    "{},{},{}\n",
                    super::history::csv_field(row.key.as_deref().unwrap_or_default()),
                    row.count,
                    money(row.amount)
                ));
            }
        }
        return Ok(out);
    }
    Ok(spends
        .iter()
        .map(|s| table(s, several))
        .collect::<Vec<_>>()
        .join("\n"))
}

fn table(spend: &Spend, several: bool) -> String {
    let mut out = String::new();
    if let (true, Some(profile)) = (several, &spend.profile) {
        out.push_str(&format!("{}\n", crate::text::sanitize(profile)));
    }
    out.push_str(&format!(
        "Spend from {} to {} (USD), by {}\n",
        spend.since,
        spend.until,
        by_name(spend.by)
    ));
    let total = spend.total();
    let keys: Vec<String> = spend
        .rows
        .iter()
        .map(|r| {
            r.key
                .as_deref()
                .map_or_else(|| no_key(spend.by).to_owned(), crate::text::sanitize)
        })
        .collect();
    let width = keys
        .iter()
        .map(|k| k.chars().count())
        .chain([by_name(spend.by).len(), "TOTAL".len()])
        .max()
        .unwrap_or(5);
    let amounts: Vec<String> = spend.rows.iter().map(|r| money(r.amount)).collect();
    let money_width = amounts
        .iter()
        .map(String::len)
        .chain([money(total.amount).len(), "AMOUNT".len()])
        .max()
        .unwrap_or(6);
    out.push_str(&format!(
        "{:<width$}  {:>9}  {:>money_width$}\n",
        by_name(spend.by).to_uppercase(),
        "RECORDS",
        "AMOUNT"
    ));
    for ((key, row), amount) in keys.iter().zip(&spend.rows).zip(&amounts) {
        out.push_str(&format!(
            "{key:<width$}  {:>9}  {amount:>money_width$}\n",
            row.count
        ));
    }
    out.push_str(&format!(
        "{:<width$}  {:>9}  {:>money_width$}\n",
        "TOTAL",
        total.count,
        money(total.amount)
    ));
    if spend.unattributed.count > 0 && spend.by != UsageBy::Subaccount {
        out.push_str(&format!(
            "of which unattributed to a subaccount: {} records, {}\n",
            spend.unattributed.count,
            money(spend.unattributed.amount)
        ));
    }
    out
}

/// `usage` and `usage sync` for the account the flags name, or every
/// profile's (`--all-profiles`): the text to print and the exit code. One
/// account's failure is the error; among several, each is said on stderr
/// with its profile, the others are printed, and the first one's code is
/// the exit code.
pub async fn run(
    global: &Global,
    http: &Http,
    args: &UsageArgs,
) -> Result<(String, Exit), Failure> {
    let now = Timestamp::now();
    let accounts = super::accounts(global)?;
    let mut spends = Vec::new();
    let mut synced = Vec::new();
    let mut exit = Exit::Ok;
    for (profile, settings) in accounts {
        let result = async {
            let client = super::client_for(http, &settings)?;
            let source = settings.credentials()?.token_source.clone();
            let done = match &args.command {
                Some(UsageCommand::Sync(sync)) => sync_now(&settings, &client, sync, now)
                    .await
                    .map(|text| synced.push((profile.clone(), text))),
                None => spend(&settings, &client, args, now).await.map(|mut s| {
                    s.profile.clone_from(&profile);
                    spends.push(s);
                }),
            };
            done.map_err(|e| e.with_token_source(&source))
        }
        .await;
        match (result, &profile) {
            (Ok(()), _) => {}
            (Err(e), None) => return Err(e),
            (Err(e), Some(name)) => {
                crate::say!("plivo-dash: {}: {e}", crate::text::sanitize(name));
                if exit == Exit::Ok {
                    exit = e.exit();
                }
            }
        }
    }
    let text = if args.command.is_some() {
        synced
            .into_iter()
            .map(|(profile, text)| match profile {
                Some(name) => format!("{}:\n{text}", crate::text::sanitize(&name)),
                None => text,
            })
            .collect()
    } else {
        render(&spends, args)?
    };
    Ok((text, exit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a time")
    }

    fn total(key: Option<&str>, count: u64, micros: i64) -> Total {
        Total {
            key: key.map(str::to_owned),
            count,
            amount: Decimal::new(micros, 6),
        }
    }

    fn spend(profile: Option<&str>, by: UsageBy, rows: Vec<Total>) -> Spend {
        Spend {
            profile: profile.map(str::to_owned),
            auth_id: "MA2025RK4E639VJFZAGV".to_owned(),
            since: at("2026-12-01T00:00:00Z"),
            until: at("2026-12-05T16:00:00Z"),
            by,
            rows,
            unattributed: total(None, 54, 6_413_900),
            calls: SyncPosition {
                newest: Some(at("2026-12-05T15:59:00Z")),
                backfill: Some(at("2026-12-01T00:00:00Z")),
                backfill_done: true,
            },
            messages: SyncPosition::default(),
        }
    }

    fn args(json: bool, csv: bool) -> UsageArgs {
        UsageArgs {
            command: None,
            since: None,
            until: None,
            by: UsageBy::Product,
            json,
            csv,
            no_sync: false,
            all_profiles: false,
            connection: crate::cli::Connection::default(),
        }
    }

    fn by_product(profile: Option<&str>) -> Spend {
        spend(
            profile,
            UsageBy::Product,
            vec![
                total(Some("voice-outbound"), 113, 16_036_900),
                total(Some("sms-outbound"), 156, 8_745_000),
            ],
        )
    }

    #[test]
    fn a_syncs_summary_counts_one_page_as_one() {
        let list = |records, pages| crate::usage::sync::Synced {
            kind: Kind::Call,
            records,
            pages,
            position: SyncPosition::default(),
            disagreement: None,
            claimed: 0,
            unasked: None,
        };
        let report = Report {
            numbers: 0,
            numbers_disagreement: None,
            lists: vec![list(0, 1), list(1, 3)],
            subaccounts: None,
        };
        let said = summary(&report);
        assert!(said.contains("calls: 0 records read in 1 page;"), "{said}");
        assert!(said.contains("calls: 1 record read in 3 pages;"), "{said}");
    }

    #[test]
    fn money_is_exact_with_at_least_plivos_five_places() {
        assert_eq!(money(Decimal::new(136_000, 6)), "0.13600");
        assert_eq!(money(Decimal::new(1, 6)), "0.000001");
        assert_eq!(money(Decimal::ZERO), "0.00000");
        assert_eq!(money(Decimal::new(123_456_789, 2)), "1234567.89000");
    }

    #[test]
    fn a_table_names_the_products_and_adds_them_up() {
        let table = render(&[by_product(None)], &args(false, false)).expect("a table");
        assert_eq!(
            table,
            "Spend from 2026-12-01T00:00:00Z to 2026-12-05T16:00:00Z (USD), by product\n\
             PRODUCT           RECORDS    AMOUNT\n\
             voice-outbound        113  16.03690\n\
             sms-outbound          156   8.74500\n\
             TOTAL                 269  24.78190\n\
             of which unattributed to a subaccount: 54 records, 6.41390\n"
        );
    }

    #[test]
    fn json_is_designs_object_with_amounts_as_decimal_strings() {
        let text = render(&[by_product(None)], &args(true, false)).expect("JSON");
        let json: Value = serde_json::from_str(&text).expect("parses");
        assert_eq!(
            json,
            json!({
                "auth_id": "MA2025RK4E639VJFZAGV",
                "since": "2026-12-01T00:00:00Z",
                "until": "2026-12-05T16:00:00Z",
                "currency": "USD",
                "by": "product",
                "rows": [
                    {"key": "voice-outbound", "amount": "16.03690", "count": 113},
                    {"key": "sms-outbound", "amount": "8.74500", "count": 156},
                ],
                "total": "24.78190",
                "unattributed": "6.41390",
                "synced_through": {"calls": "2026-12-05T15:59:00Z", "messages": null},
            })
        );
    }

    #[test]
    fn no_key_is_unattributed_in_a_table_null_in_json_and_empty_in_csv() {
        let rows = vec![
            total(None, 54, 6_413_900),
            total(Some("SAKXD0GL0TLQMI80GNNZ"), 66, 5_439_500),
        ];
        let one = spend(None, UsageBy::Subaccount, rows);
        let table = render(std::slice::from_ref(&one), &args(false, false)).expect("a table");
        assert!(table.contains("\nunattributed  "), "{table}");
        assert!(
            !table.contains("of which"),
            "said once, in its row: {table}"
        );
        let json: Value = serde_json::from_str(
            &render(std::slice::from_ref(&one), &args(true, false)).expect("JSON"),
        )
        .expect("parses");
        assert_eq!(json["rows"][0]["key"], Value::Null);
        let csv = render(&[one], &args(false, true)).expect("CSV");
        assert_eq!(
            csv,
            "key,count,amount\n,54,6.41390\nSAKXD0GL0TLQMI80GNNZ,66,5.43950\n"
        );
    }

    #[test]
    fn several_profiles_are_told_apart_in_every_format() {
        let spends = [by_product(Some("prod")), by_product(Some("staging, eu"))];
        let csv = render(&spends, &args(false, true)).expect("CSV");
        assert!(
            csv.starts_with("profile,key,count,amount\nprod,voice-outbound,113,16.03690\n"),
            "{csv}"
        );
        assert!(
            csv.contains("\n\"staging, eu\",sms-outbound,156,8.74500\n"),
            "{csv}"
        );
        let json: Value = serde_json::from_str(&render(&spends, &args(true, false)).expect("JSON"))
            .expect("parses");
        assert_eq!(json[0]["profile"], "prod");
        assert_eq!(json[1]["profile"], "staging, eu");
        let table = render(&spends, &args(false, false)).expect("a table");
        assert!(table.starts_with("prod\nSpend from"), "{table}");
        assert!(table.contains("\nstaging, eu\nSpend from"), "{table}");
    }
}
