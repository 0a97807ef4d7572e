//! `forecast`: the month ahead for one account or every profile's, from the
//! records in the store (synced first unless `--no-sync`) and the account
//! (its balance, auto-recharge and time zone): a short table, or DESIGN's
//! JSON object with amounts as decimal strings. The working out is
//! [`crate::usage::forecast`]'s.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

use super::usage::{money, open, sync_since};
use super::{Exit, Failure};
use crate::cli::{ForecastArgs, Global};
use crate::config::Settings;
use crate::plivo::{Client, Http};
use crate::text::sanitize;
use crate::usage::ahead::{self, Facts};
use crate::usage::forecast::{Basis, Forecast, Runway, Warning};
use crate::usage::sync::plan;

/// One account's month ahead, and what to say about how it was worked out.
#[derive(Debug)]
pub struct Ahead {
    /// The profile, when several are printed.
    pub profile: Option<String>,
    auth_id: String,
    forecast: Forecast,
    /// What the reader should know: a zone that is not one, a store that
    /// does not reach the 1st, a short history.
    notes: Vec<String>,
}

/// `forecast` for one account: syncs (unless `--no-sync`) as deep as the
/// month and the trailing week need, then works the month out.
pub async fn ahead(
    settings: &Settings,
    client: &Client,
    no_sync: bool,
    now: Timestamp,
) -> Result<Ahead, Failure> {
    let now = plan::whole_second(now);
    let account = client.get_account().await?;
    let mut notes = Vec::new();
    let zone = TimeZone::get(&account.timezone).unwrap_or_else(|_| {
        notes.push(format!(
            "the account's timezone {:?} is not an IANA zone: its month is taken in UTC",
            sanitize(&account.timezone)
        ));
        TimeZone::UTC
    });
    let mut store = open(settings, now)?;
    if !no_sync {
        sync_since(client, &mut store, ahead::reach(now, &zone)?, now).await?;
    }
    let auth_id = client.auth_id().to_string();
    let read = ahead::read(
        &store,
        &auth_id,
        Facts {
            balance: account.cash_credits,
            auto_recharge: account.auto_recharge,
            zone: &zone,
            alert_below: settings.alert_below,
        },
        now,
    )?;
    if no_sync {
        notes.push(format!(
            "from the store, not synced now: newest record {}",
            read.records
                .newest
                .map_or_else(|| "none".to_owned(), |n| n.to_string())
        ));
    }
    match read.records.covered {
        None => notes.push(
            "no records are synced yet: the spend so far is not known \
             (`plivo-dash usage sync` reads them)"
                .to_owned(),
        ),
        Some(edge) if read.records.short() => notes.push(format!(
            "records are stored only from {edge}, after the 1st: the spend so far is short \
             (`plivo-dash usage sync` reads further back)"
        )),
        Some(_) => {}
    }
    let forecast = read.forecast;
    Ok(Ahead {
        profile: None,
        auth_id,
        forecast,
        notes,
    })
}

impl Ahead {
    /// DESIGN's object (and the profile's name among several).
    fn json(&self) -> Value {
        let f = &self.forecast;
        let mut object = json!({
            "auth_id": self.auth_id,
            "month": f.month.name(),
            "spent_to_date": money(f.spent_to_date),
            "projected_month_end": money(f.projected_month_end),
            "rentals_due": money(f.rentals.due_first),
            "balance_now": money(f.balance_now),
            "balance_after_first": money(f.balance_after_first),
            "auto_recharge": f.auto_recharge,
        });
        if let Some(profile) = &self.profile {
            object["profile"] = Value::from(profile.as_str());
        }
        object
    }

    /// What is said beside the numbers: the notes, how the rate was taken,
    /// and the warning. Beside JSON (on stderr) only what qualifies the
    /// numbers: not the usual week's rate, nor the taxes every month
    /// leaves out.
    fn remarks(&self, json: bool) -> Vec<String> {
        let f = &self.forecast;
        let mut said = self.notes.clone();
        if !json || f.basis.is_none_or(|b| !b.full) {
            said.push(rate_basis(f.basis));
        }
        if f.rentals.assumed > 0 {
            said.push(format!(
                "{} rented numbers say no renewal date: taken as renewing on the 1st",
                f.rentals.assumed
            ));
        }
        if !json {
            said.push("taxes are not included: Plivo says them only when it invoices".to_owned());
        }
        if let Some(warning) = f.warning {
            said.push(format!(
                "WARNING: the balance would be {} after the 1st, below {}, and auto-recharge is off",
                money(f.balance_after_first),
                match warning {
                    Warning::BelowZero => "zero".to_owned(),
                    Warning::BelowAlert(alert) => format!("the alert ({})", money(alert)),
                },
            ));
        }
        said
    }
}

/// How the daily rate was taken, as a person reads it.
fn rate_basis(basis: Option<Basis>) -> String {
    match basis {
        None => "no records synced yet: the daily rate is unknown, taken as 0".to_owned(),
        Some(b) if b.full => "daily rates over the last 7 days".to_owned(),
        Some(b) => {
            let hours = b.length().as_hours();
            format!(
                "daily rates over the {}d {}h of records there are (fewer than 7 days)",
                hours / 24,
                hours % 24
            )
        }
    }
}

/// When the balance runs out, in the account's zone.
fn runway(forecast: &Forecast) -> String {
    let zone = forecast.month.start.time_zone();
    let at = |t: Timestamp| {
        t.to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    };
    match forecast.runway {
        _ if forecast.balance_now <= rust_decimal::Decimal::ZERO => {
            "none: the balance is spent".to_owned()
        }
        Runway::Until(t) => format!("until about {}", at(t)),
        Runway::Beyond(t) => format!("beyond {}", at(t)),
    }
}

/// The accounts' months ahead as asked: `--json` or a table each.
pub fn render(aheads: &[Ahead], json: bool) -> Result<String, Failure> {
    let several = aheads.iter().any(|a| a.profile.is_some());
    if json {
        let value = if several {
            Value::Array(aheads.iter().map(Ahead::json).collect())
        } else {
            aheads.first().map_or(Value::Null, Ahead::json)
        };
        return serde_json::to_string_pretty(&value)
            .map(|t| t + "\n")
            .map_err(|e| Failure::Usage(format!("cannot encode the forecast: {e}")));
    }
    Ok(aheads
        .iter()
        .map(|a| table(a, several))
        .collect::<Vec<_>>()
        .join("\n"))
}

fn table(ahead: &Ahead, several: bool) -> String {
    let f = &ahead.forecast;
    let mut out = String::new();
    if let (true, Some(profile)) = (several, &ahead.profile) {
        out.push_str(&format!("{}\n", sanitize(profile)));
    }
    let zone = f.month.start.time_zone().iana_name().unwrap_or("UTC");
    out.push_str(&format!(
        "The month ahead: {} ({zone}), {:.1} days left, USD\n",
        f.month.name(),
        f.days_left
    ));
    let mut rows: Vec<[String; 4]> = vec![[
        "PRODUCT".into(),
        "SO FAR".into(),
        "PER DAY".into(),
        "MONTH END".into(),
    ]];
    for line in &f.lines {
        rows.push([
            sanitize(&line.product),
            money(line.spent),
            money(line.daily),
            money(line.projected),
        ]);
    }
    if !f.rentals.this_month.is_zero() {
        rows.push([
            "rentals renewing before the 1st".into(),
            String::new(),
            String::new(),
            money(f.rentals.this_month),
        ]);
    }
    rows.push([
        "TOTAL".into(),
        money(f.spent_to_date),
        money(f.daily),
        money(f.projected_month_end),
    ]);
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    for [name, spent, daily, projected] in &rows {
        out.push_str(&format!(
            "{name:<w0$}  {spent:>w1$}  {daily:>w2$}  {projected:>w3$}\n",
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        ));
    }
    let facts = [
        ("Balance now", money(f.balance_now)),
        ("Rentals due on the 1st", money(f.rentals.due_first)),
        ("Balance after the 1st ≈", money(f.balance_after_first)),
        (
            "Auto-recharge",
            if f.auto_recharge { "on" } else { "off" }.to_owned(),
        ),
        ("Runway", runway(f)),
    ];
    let label = facts
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (name, value) in facts {
        out.push_str(&format!("{name:<label$}  {value}\n"));
    }
    for remark in ahead.remarks(false) {
        out.push_str(&format!("{remark}\n"));
    }
    out
}

/// `forecast` for the account the flags name, or every profile's
/// (`--all-profiles`): the text to print and the exit code, as `usage`
/// gives them (among several, each failure said on stderr with its
/// profile, the first one's code the exit code). With `--json` the remarks
/// go to stderr, keeping the object as DESIGN has it.
pub async fn run(
    global: &Global,
    http: &Http,
    args: &ForecastArgs,
) -> Result<(String, Exit), Failure> {
    let now = Timestamp::now();
    let mut aheads = Vec::new();
    let mut exit = Exit::Ok;
    for (profile, settings) in super::accounts(global)? {
        let result = async {
            let client = super::client_for(http, &settings)?;
            let source = settings.credentials()?.token_source.clone();
            ahead(&settings, &client, args.no_sync, now)
                .await
                .map_err(|e| e.with_token_source(&source))
        }
        .await;
        match (result, &profile) {
            (Ok(mut a), _) => {
                if args.json {
                    let name = profile
                        .as_deref()
                        .map_or_else(String::new, |p| format!("{}: ", sanitize(p)));
                    for remark in a.remarks(true) {
                        crate::say!("plivo-dash: {name}{remark}");
                    }
                }
                a.profile.clone_from(&profile);
                aheads.push(a);
            }
            (Err(e), None) => return Err(e),
            (Err(e), Some(name)) => {
                crate::say!("plivo-dash: {}: {e}", sanitize(name));
                if exit == Exit::Ok {
                    exit = e.exit();
                }
            }
        }
    }
    Ok((render(&aheads, args.json)?, exit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Number, Total};
    use crate::usage::forecast::{self, Inputs};
    use rust_decimal::{Decimal, dec};

    fn ahead(profile: Option<&str>, balance: Decimal, notes: Vec<String>) -> Ahead {
        let now: Timestamp = "2026-12-20T05:00:00Z".parse().expect("a time");
        let zone = TimeZone::get("America/New_York").expect("a zone");
        let total = |key: &str, amount| Total {
            key: Some(key.to_owned()),
            count: 1,
            amount,
        };
        let numbers = [
            Number {
                number: "14155550100".into(),
                monthly_rental_rate: dec!(0.8),
                sub_account: None,
                renewal_date: Some("2027-01-01".into()),
                number_type: "local".into(),
                country: Some("US".into()),
            },
            Number {
                number: "14155550101".into(),
                monthly_rental_rate: dec!(1.5),
                sub_account: None,
                renewal_date: Some("2026-12-24".into()),
                number_type: "local".into(),
                country: Some("US".into()),
            },
        ];
        let forecast = forecast::project(&Inputs {
            now,
            zone: &zone,
            spent: &[
                total("voice-outbound", dec!(10.5)),
                total("sms-outbound", dec!(2)),
            ],
            trailing: &[
                total("voice-outbound", dec!(7)),
                total("sms-outbound", dec!(3.5)),
            ],
            basis: Basis::at(now, Some(now - forecast::TRAILING)),
            numbers: &numbers,
            balance,
            auto_recharge: false,
            alert_below: None,
        })
        .expect("a forecast");
        Ahead {
            profile: profile.map(str::to_owned),
            auth_id: "MA2025RK4E639VJFZAGV".into(),
            forecast,
            notes,
        }
    }

    #[test]
    fn a_table_says_each_product_the_first_and_how_the_rate_was_taken() {
        let text = render(&[ahead(None, dec!(30), Vec::new())], false).expect("a table");
        // 12 days left (to 2027-01-01 00:00 EST), 1 and 0.5 a day; the
        // runway pays 1.50 on the 24th and 0.80 on the 1st, then 9.70 lasts
        // 6.47 days more.
        assert_eq!(
            text,
            "The month ahead: 2026-12 (America/New_York), 12.0 days left, USD\n\
             PRODUCT                            SO FAR  PER DAY  MONTH END\n\
             voice-outbound                   10.50000  1.00000   22.50000\n\
             sms-outbound                      2.00000  0.50000    8.00000\n\
             rentals renewing before the 1st                       1.50000\n\
             TOTAL                            12.50000  1.50000   32.00000\n\
             Balance now              30.00000\n\
             Rentals due on the 1st   0.80000\n\
             Balance after the 1st ≈  9.70000\n\
             Auto-recharge            off\n\
             Runway                   until about 2027-01-07 11:12 EST\n\
             daily rates over the last 7 days\n\
             taxes are not included: Plivo says them only when it invoices\n"
        );
    }

    #[test]
    fn a_short_first_warns_and_says_the_notes() {
        let text = render(&[ahead(None, dec!(10), vec!["a note".into()])], false).expect("a table");
        assert!(
            text.contains("Balance after the 1st ≈  -10.30000\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "a note\ndaily rates over the last 7 days\n\
                 taxes are not included: Plivo says them only when it invoices\n\
                 WARNING: the balance would be -10.30000 after the 1st, below zero, \
                 and auto-recharge is off\n"
            ),
            "{text}"
        );
        assert!(rate_basis(None).contains("no records synced yet"));
        let now: Timestamp = "2026-12-20T05:00:00Z".parse().expect("a time");
        let short = Basis::at(now, Some(now - jiff::SignedDuration::from_hours(51)));
        assert_eq!(
            rate_basis(short),
            "daily rates over the 2d 3h of records there are (fewer than 7 days)"
        );
    }

    #[test]
    fn beside_json_only_what_qualifies_the_numbers_is_said() {
        let a = ahead(None, dec!(10), vec!["a note".into()]);
        assert_eq!(
            a.remarks(true),
            [
                "a note",
                "WARNING: the balance would be -10.30000 after the 1st, below zero, \
                 and auto-recharge is off"
            ]
        );
        assert_eq!(
            ahead(None, dec!(30), Vec::new()).remarks(true),
            Vec::<String>::new()
        );
    }

    #[test]
    fn json_is_designs_object_with_amounts_as_decimal_strings() {
        let text = render(&[ahead(None, dec!(30), Vec::new())], true).expect("JSON");
        let value: Value = serde_json::from_str(&text).expect("parses");
        assert_eq!(
            value,
            json!({
                "auth_id": "MA2025RK4E639VJFZAGV",
                "month": "2026-12",
                "spent_to_date": "12.50000",
                "projected_month_end": "32.00000",
                "rentals_due": "0.80000",
                "balance_now": "30.00000",
                "balance_after_first": "9.70000",
                "auto_recharge": false,
            })
        );
        let several = render(
            &[
                ahead(Some("prod"), dec!(30), Vec::new()),
                ahead(Some("staging"), dec!(1), Vec::new()),
            ],
            true,
        )
        .expect("JSON");
        let value: Value = serde_json::from_str(&several).expect("parses");
        assert_eq!(value[0]["profile"], "prod");
        assert_eq!(value[1]["profile"], "staging");
        assert_eq!(value[1]["balance_now"], "1.00000");
    }
}
