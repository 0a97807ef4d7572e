//! The command line: what scripts and people may type. No I/O here.

use std::net::SocketAddr;
use std::ops::RangeInclusive;

use clap::{Args, Parser};
use rust_decimal::Decimal;

/// A terminal dashboard and credit monitor for a Plivo account.
///
/// With no command it opens the dashboard. Credentials come from
/// --auth-id, then PLIVO_AUTH_ID / PLIVO_AUTH_TOKEN / PLIVO_API_URL, then the
/// config file; the token is never taken from a flag, so it stays out of
/// shell history and `ps`.
#[derive(Debug, Parser)]
#[command(name = "plivo-dash", version = VERSION, propagate_version = true)]
pub struct Cli {
    /// Which account, and how to reach it.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: Connection,

    /// The dashboard's monitor settings.
    #[command(flatten, next_help_heading = "Monitor")]
    pub monitor: MonitorArgs,

    /// Open the dashboard on an embedded sandbox: no account or network needed.
    #[arg(long)]
    pub demo: bool,

    /// Watch every profile in the config file (the fleet screen).
    #[arg(long, conflicts_with_all = ["profile", "auth_id"])]
    pub all_profiles: bool,

    /// What to do; the dashboard when absent.
    #[command(subcommand)]
    pub command: Option<Subcommand>,
}

impl Cli {
    /// The settings in force for the command given: its own flags first,
    /// then those given before it (`plivo-dash --auth-id X get` still works,
    /// while each command's `--help` lists only what that command uses).
    pub fn global(&self) -> Global {
        let top = &self.connection;
        let all_profiles = match &self.command {
            Some(Subcommand::Get { all_profiles, .. }) => *all_profiles,
            Some(Subcommand::Check(args)) => args.all_profiles,
            Some(Subcommand::History(args)) => args.all_profiles,
            Some(Subcommand::Exporter(args)) => args.all_profiles,
            Some(Subcommand::Usage(args)) => args.all_profiles(),
            Some(Subcommand::Forecast(args)) => args.all_profiles,
            _ => false,
        } || self.all_profiles;
        let connection = match &self.command {
            Some(Subcommand::Get { connection, .. }) => connection.or(top),
            Some(Subcommand::Update(args)) => args.connection.or(top),
            Some(Subcommand::Check(args)) => args.connection.or(top),
            Some(Subcommand::Sandbox(args)) => Connection {
                auth_id: args.auth_id.clone().or_else(|| top.auth_id.clone()),
                log_file: args.log_file.clone().or_else(|| top.log_file.clone()),
                ..top.clone()
            },
            Some(Subcommand::Subaccounts(command)) => command.connection().or(top),
            Some(Subcommand::History(args)) => args.connection.or(top),
            Some(Subcommand::Usage(args)) => args.connection().or(top),
            Some(Subcommand::Forecast(args)) => args.connection.or(top),
            Some(Subcommand::Exporter(args)) => args.connection.or(top),
            Some(Subcommand::Login(args)) => args.connection.or(top),
            Some(Subcommand::Logout { connection } | Subcommand::Profiles { connection, .. }) => {
                connection.or(top)
            }
            Some(Subcommand::Completions { .. } | Subcommand::Man { .. }) | None => top.clone(),
        };
        Global {
            auth_id: connection.auth_id,
            api_url: connection.api_url,
            profile: connection.profile,
            timeout: connection.timeout,
            log_file: connection.log_file,
            interval: match &self.command {
                Some(Subcommand::Exporter(args)) => args.interval.or(self.monitor.interval),
                _ => self.monitor.interval,
            },
            alert_below: match &self.command {
                Some(Subcommand::Forecast(args)) => args.alert_below.or(self.monitor.alert_below),
                _ => self.monitor.alert_below,
            },
            all_profiles,
        }
    }
}

/// What `--version` says after the name: the version and the commit it was
/// built from (build.rs; "unknown" where no git history came with the
/// source), so a report names the exact build.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("PLIVO_DASH_COMMIT"),
    ")"
);

/// The seconds `interval` may be, as a flag or in the config file.
pub(crate) const INTERVAL_SECS: RangeInclusive<u64> = 1..=86_400;

/// The settings every command resolves its account and limits from.
#[derive(Debug, Clone, Default)]
pub struct Global {
    /// Account id (MA… or SA…).
    pub auth_id: Option<String>,
    /// API base URL.
    pub api_url: Option<String>,
    /// Profile to use from the config file.
    pub profile: Option<String>,
    /// Seconds between balance refreshes in the dashboard.
    pub interval: Option<u64>,
    /// Alert when the balance falls below this many USD.
    pub alert_below: Option<Decimal>,
    /// Give up on a request after this many seconds.
    pub timeout: Option<u64>,
    /// Where to write a log.
    pub log_file: Option<std::path::PathBuf>,
    /// Every profile in the config file, not one account.
    pub all_profiles: bool,
}

/// Which account, and how to reach it: the flags of every command that talks
/// to Plivo.
#[derive(Debug, Clone, Default, Args)]
pub struct Connection {
    /// Account id (MA… or SA…) [env: PLIVO_AUTH_ID]
    #[arg(long, value_name = "ID")]
    pub auth_id: Option<String>,

    /// API base URL [env: PLIVO_API_URL] [default: https://api.plivo.com]
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,

    /// Profile to use from the config file [default: the file's top level]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Give up on a request after this many seconds [default: 15]
    #[arg(long, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: Option<u64>,

    /// Write a log of requests, answers and errors here (never the token);
    /// the level comes from PLIVO_DASH_LOG (error, warn, info, debug, trace)
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<std::path::PathBuf>,
}

impl Connection {
    /// These flags, each falling back to `fallback`'s.
    fn or(&self, fallback: &Connection) -> Connection {
        Connection {
            auth_id: self.auth_id.clone().or_else(|| fallback.auth_id.clone()),
            api_url: self.api_url.clone().or_else(|| fallback.api_url.clone()),
            profile: self.profile.clone().or_else(|| fallback.profile.clone()),
            timeout: self.timeout.or(fallback.timeout),
            log_file: self.log_file.clone().or_else(|| fallback.log_file.clone()),
        }
    }
}

/// The dashboard's monitor settings.
#[derive(Debug, Clone, Default, Args)]
pub struct MonitorArgs {
    /// Seconds between balance refreshes in the dashboard [default: 60]
    #[arg(long, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(INTERVAL_SECS))]
    pub interval: Option<u64>,

    /// Alert when the balance falls below this many USD
    #[arg(long, value_name = "USD", value_parser = parse_amount)]
    pub alert_below: Option<Decimal>,
}

/// The one-shot commands.
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Print the account: a readable summary, or the API object with --json.
    Get {
        /// Print the Account object as JSON, as the API returns it.
        #[arg(long)]
        json: bool,
        /// Every profile in the config file: a line each (an array with --json).
        #[arg(long, conflicts_with_all = ["profile", "auth_id"])]
        all_profiles: bool,
        /// Which account, and how to reach it.
        #[command(flatten, next_help_heading = "Connection")]
        connection: Connection,
    },
    /// Change profile fields; only the fields given are sent.
    Update(UpdateArgs),
    /// Monitoring-plugin check of the balance (Nagios, Icinga, cron).
    ///
    /// Exit 0 OK, 1 WARNING (below --warning), 2 CRITICAL (below --critical),
    /// 3 UNKNOWN; one line of output with perfdata `credits=AMOUNT;W:;C:`.
    Check(CheckArgs),
    /// Run the Plivo-compatible sandbox server in the foreground.
    ///
    /// Prints ready-to-paste PLIVO_API_URL, PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN
    /// lines, then serves until killed.
    Sandbox(SandboxArgs),
    /// Print the credit history the dashboard keeps: time, balance, top-ups.
    ///
    /// Read from the history file (no request is made); RFC 3339 times and
    /// the exact balances, for spreadsheets and scripts.
    History(HistoryArgs),
    /// List, show, create, rename, enable, disable or delete subaccounts.
    ///
    /// A subaccount spends its main account's credit. Tokens are never
    /// printed unless --show-token(s) is given.
    #[command(subcommand)]
    Subaccounts(SubaccountsCommand),
    /// Spend over a window, from the call and message records: by product,
    /// subaccount, country, number or day.
    ///
    /// Syncs the records into the store first (unless --no-sync), then
    /// reads the store; `usage sync` back-fills now, with progress on
    /// stderr.
    Usage(UsageArgs),
    /// The month ahead: the month-end projection and the balance after the
    /// 1st, when Plivo debits the number rentals in advance.
    ///
    /// Projects each product's daily rate over the last 7 days to the end
    /// of the account's month (in its time zone), adds the rentals renewing
    /// before then, and takes the rentals due on the 1st off the balance;
    /// warns when that would go below zero (or --alert-below) with
    /// auto-recharge off. Syncs the records first unless --no-sync.
    Forecast(ForecastArgs),
    /// Serve Prometheus metrics for the account, or every profile.
    ///
    /// Polls in the background as the dashboard does (same timetable,
    /// back-off and history); /metrics is answered from memory, so a scrape
    /// never causes a request to Plivo. /healthz answers 200 once every
    /// account's first poll has ended. SIGTERM or Ctrl-C stops it (exit 0);
    /// SIGHUP is ignored (there is no configuration to reload).
    Exporter(ExporterArgs),
    /// Check an account's credentials and keep them for every command.
    ///
    /// Asks for the auth id and the token (typed unseen; --auth-token-stdin
    /// for scripts), checks them with one request unless --no-verify, then
    /// keeps the token in the OS keychain, or in the config file (0600)
    /// where there is none. Exit 3 if refused, 4 if Plivo cannot be reached.
    Login(LoginArgs),
    /// Remove a profile's token from the keychain and the config file.
    Logout {
        /// Which account, and how to reach it.
        #[command(flatten, next_help_heading = "Connection")]
        connection: Connection,
    },
    /// List every profile: its auth id, where its token lives, the one used
    /// without --profile marked *.
    Profiles {
        /// Also check that each profile's credentials work (one request
        /// each); exits with the first failure's code.
        #[arg(long)]
        verify: bool,
        /// Which account, and how to reach it.
        #[command(flatten, next_help_heading = "Connection")]
        connection: Connection,
    },
    /// Print a shell completion script, e.g. `plivo-dash completions bash`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Write a man page for plivo-dash and each of its commands into DIR,
    /// for packagers (hidden: it is no command a user runs).
    #[command(hide = true)]
    Man {
        /// The directory to write the pages to, made if missing.
        dir: std::path::PathBuf,
    },
}

/// `login`'s choices.
#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// Read the token from standard input (its first line) instead of
    /// asking: for scripts. There is no flag that takes the token itself.
    #[arg(long)]
    pub auth_token_stdin: bool,
    /// Keep the credentials without checking them with Plivo first.
    #[arg(long)]
    pub no_verify: bool,
    /// Which account, and how to reach it (--profile names the profile to
    /// keep them under; the file's top level without it).
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: Connection,
}

/// `exporter`'s choices.
#[derive(Debug, Clone, Args)]
pub struct ExporterArgs {
    /// Address to serve /metrics on, HOST:PORT (a name such as localhost
    /// is looked up; port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9747", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// Watch every profile in the config file, a series set each.
    #[arg(long, conflicts_with_all = ["profile", "auth_id"])]
    pub all_profiles: bool,
    /// Seconds between polls of each account [default: 60, or the config
    /// file's interval]
    #[arg(long, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(INTERVAL_SECS))]
    pub interval: Option<u64>,
    /// Connections held open at once; at the limit a new one closes the
    /// oldest idle one, so slow clients cannot starve a scrape. Keep it
    /// well under the open-file limit (ulimit -n, LimitNOFILE).
    #[arg(long, value_name = "N", default_value_t = crate::exporter::http::MAX_CONNECTIONS,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub max_connections: u16,
    /// Which account, and how to reach it.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: Connection,
}

/// `history`'s choices.
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Only samples this recent, e.g. 2h, 7d, "1h 30m".
    #[arg(long, value_name = "DURATION", value_parser = parse_since)]
    pub since: Option<jiff::SignedDuration>,
    /// Comma-separated values with a header row.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// A JSON array of objects.
    #[arg(long)]
    pub json: bool,
    /// Every profile in the config file, with a profile column.
    #[arg(long, conflicts_with_all = ["profile", "auth_id"])]
    pub all_profiles: bool,
    /// Which account, and how to reach it.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: Connection,
}

/// Why a flag's value is refused, as clap says it after the flag's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BadValue {
    /// `--since`.
    #[error("{0:?} is not a duration: write e.g. 30m, 2h, 7d or \"1h 30m\"")]
    Duration(String),
    /// `usage --since/--until`.
    #[error(
        "{0:?} is not a time: write an RFC 3339 time (2026-12-01T00:00:00Z), a date \
         (2026-12-01) or a duration back from now (1h, 24h, 7d)"
    )]
    When(String),
    /// `--listen`, not an address.
    #[error("{given:?} is not an address to listen on, such as 127.0.0.1:0 ({why})")]
    Address {
        /// The value given.
        given: String,
        /// The resolver's words.
        why: String,
    },
    /// `--listen`, a name with no address.
    #[error("{0:?} names no address")]
    NoAddress(String),
    /// A share outside 0..=1.
    #[error("{0:?} is not a share between 0 and 1 (e.g. 0.2)")]
    Share(String),
    /// Not a decimal.
    #[error("{0:?} is not an amount in USD (e.g. 5 or 1.25)")]
    Amount(String),
    /// Below zero.
    #[error("{0} is negative; give an amount of 0 or more")]
    Negative(String),
}

/// A positive duration such as `2h`, `7d` or `1h 30m`.
fn parse_since(s: &str) -> Result<jiff::SignedDuration, BadValue> {
    let bad = || BadValue::Duration(s.to_owned());
    let span: jiff::Span = s.trim().parse().map_err(|_| bad())?;
    let duration = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|_| bad())?;
    if duration.is_negative() || duration.is_zero() {
        return Err(bad());
    }
    Ok(duration)
}

/// The message list's requests a minute, as Plivo allows them.
pub const MESSAGE_RATE: u32 = 20;

/// `usage`'s choices.
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct UsageArgs {
    /// `sync`: back-fill now instead of printing.
    #[command(subcommand)]
    pub command: Option<UsageCommand>,
    /// From when: an RFC 3339 time, a date (UTC midnight), or a duration
    /// back from now (1h, 24h, 7d) [default: the first of the month, UTC]
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub since: Option<When>,
    /// Up to when (excluded), written as --since [default: now]
    #[arg(long, value_name = "WHEN", value_parser = parse_when)]
    pub until: Option<When>,
    /// What the spend is grouped by.
    #[arg(long, value_enum, default_value_t = UsageBy::Product)]
    pub by: UsageBy,
    /// A JSON object (an array of them with --all-profiles).
    #[arg(long)]
    pub json: bool,
    /// Comma-separated values with a header row.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Read the store as it is, without syncing first; how fresh it is is
    /// said on stderr.
    #[arg(long)]
    pub no_sync: bool,
    /// Every profile in the config file, one after the other.
    #[arg(long, conflicts_with_all = ["profile", "auth_id"])]
    pub all_profiles: bool,
    /// Which account, and how to reach it.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: Connection,
}

impl UsageArgs {
    fn all_profiles(&self) -> bool {
        match &self.command {
            Some(UsageCommand::Sync(sync)) => sync.all_profiles || self.all_profiles,
            None => self.all_profiles,
        }
    }

    fn connection(&self) -> Connection {
        match &self.command {
            Some(UsageCommand::Sync(sync)) => sync.connection.or(&self.connection),
            None => self.connection.clone(),
        }
    }
}

/// `forecast`'s choices.
#[derive(Debug, Clone, Args)]
pub struct ForecastArgs {
    /// A JSON object (an array of them with --all-profiles), amounts as
    /// decimal strings.
    #[arg(long)]
    pub json: bool,
    /// Read the store as it is, without syncing first; how fresh it is is
    /// said with the forecast.
    #[arg(long)]
    pub no_sync: bool,
    /// Warn when the balance after the 1st would fall below this many USD
    /// [default: the config file's alert_below]
    #[arg(long, value_name = "USD", value_parser = parse_amount)]
    pub alert_below: Option<Decimal>,
    /// Every profile in the config file, one after the other.
    #[arg(long, conflicts_with_all = ["profile", "auth_id"])]
    pub all_profiles: bool,
    /// Which account, and how to reach it.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: Connection,
}

/// `usage`'s commands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum UsageCommand {
    /// Sync the call and message records into the store now, back-filling
    /// what was never read, with progress on stderr.
    Sync(UsageSyncArgs),
}

/// `usage sync`'s choices.
#[derive(Debug, Clone, Args)]
pub struct UsageSyncArgs {
    /// How many days a first sync back-fills (1 to 90) [default: the month
    /// so far in any time zone, and at least the last 7 days: what
    /// `forecast` needs]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=90))]
    pub days: Option<u32>,
    /// Message-list pages asked for a minute: Plivo allows 20. More only
    /// against a sandbox started with the same --message-rate (benchmarks).
    #[arg(long, value_name = "PER_MIN", default_value_t = MESSAGE_RATE,
          value_parser = clap::value_parser!(u32).range(1..=60_000))]
    pub message_rate: u32,
    /// Every profile in the config file, one after the other.
    #[arg(long, conflicts_with_all = ["profile", "auth_id"])]
    pub all_profiles: bool,
    /// Which account, and how to reach it.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: Connection,
}

/// What `usage --by` groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UsageBy {
    /// DESIGN's eight products: voice, SMS, MMS and WhatsApp, each outbound
    /// and inbound.
    Product,
    /// The subaccount whose number a record went through.
    Subaccount,
    /// The country its spend belongs to.
    Country,
    /// The account's own number on it.
    Number,
    /// The UTC day.
    Day,
}

/// A `--since` or `--until`: a time, or a duration back from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// This time.
    At(jiff::Timestamp),
    /// This long before now.
    Ago(jiff::SignedDuration),
}

impl When {
    /// The time it means at `now`.
    pub fn at(self, now: jiff::Timestamp) -> jiff::Timestamp {
        match self {
            When::At(at) => at,
            When::Ago(ago) => now.checked_sub(ago).unwrap_or(jiff::Timestamp::MIN),
        }
    }
}

fn parse_when(s: &str) -> Result<When, BadValue> {
    let text = s.trim();
    if let Ok(at) = text.parse::<jiff::Timestamp>() {
        return Ok(When::At(at));
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return date
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| When::At(z.timestamp()))
            .map_err(|_| BadValue::When(s.to_owned()));
    }
    parse_since(s)
        .map(When::Ago)
        .map_err(|_| BadValue::When(s.to_owned()))
}

/// `subaccounts`' commands.
#[derive(Debug, clap::Subcommand)]
pub enum SubaccountsCommand {
    /// A table of subaccounts (auth id, name, enabled, created), newest first.
    List {
        /// Every subaccount, fetched page by page, not just one page.
        #[arg(long, conflicts_with_all = ["limit", "offset"])]
        all: bool,
        /// Print the objects as JSON.
        #[arg(long)]
        json: bool,
        /// How many on the page (1 to 20) [default: 20]
        #[arg(long, value_name = "N",
              value_parser = clap::value_parser!(u32).range(1..=20))]
        limit: Option<u32>,
        /// How many to skip [default: 0]
        #[arg(long, value_name = "K")]
        offset: Option<u32>,
        /// Include each subaccount's token in --json.
        #[arg(long, requires = "json")]
        show_tokens: bool,
        /// Which account, and how to reach it.
        #[command(flatten, next_help_heading = "Connection")]
        connection: Connection,
    },
    /// One subaccount.
    Get {
        /// The subaccount's id (SA…).
        sub_id: String,
        /// Print the object as JSON.
        #[arg(long)]
        json: bool,
        /// Print its token too.
        #[arg(long)]
        show_token: bool,
        /// Which account, and how to reach it.
        #[command(flatten, next_help_heading = "Connection")]
        connection: Connection,
    },
    /// Create a subaccount; prints its id.
    Create {
        /// Its name.
        name: String,
        /// Enabled from the start (the API's default is disabled).
        #[arg(long)]
        enabled: bool,
        /// Print its token too.
        #[arg(long)]
        show_token: bool,
        /// Which account, and how to reach it.
        #[command(flatten, next_help_heading = "Connection")]
        connection: Connection,
    },
    /// Rename, enable or disable a subaccount; what is not given stays.
    #[command(arg_required_else_help = true)]
    Update {
        /// The subaccount's id (SA…).
        sub_id: String,
        /// Its new name.
        #[arg(long, value_name = "N")]
        name: Option<String>,
        /// Enable it.
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Disable it.
        #[arg(long)]
        disable: bool,
        /// Which account, and how to reach it.
        #[command(flatten, next_help_heading = "Connection")]
        connection: Connection,
    },
    /// Delete a subaccount; asks for its name on a terminal.
    Delete {
        /// The subaccount's id (SA…).
        sub_id: String,
        /// Also delete its numbers, endpoints and applications (without it
        /// they move to the main account).
        #[arg(long)]
        cascade: bool,
        /// Do not ask (needed without a terminal).
        #[arg(long)]
        yes: bool,
        /// Which account, and how to reach it.
        #[command(flatten, next_help_heading = "Connection")]
        connection: Connection,
    },
}

impl SubaccountsCommand {
    /// The connection flags given to it.
    pub fn connection(&self) -> &Connection {
        match self {
            SubaccountsCommand::List { connection, .. }
            | SubaccountsCommand::Get { connection, .. }
            | SubaccountsCommand::Create { connection, .. }
            | SubaccountsCommand::Update { connection, .. }
            | SubaccountsCommand::Delete { connection, .. } => connection,
        }
    }
}

/// `update`'s fields.
#[derive(Debug, Clone, Default, Args)]
#[command(arg_required_else_help = true)]
pub struct UpdateArgs {
    /// New account holder's name.
    #[arg(long, value_name = "N", help_heading = "Fields")]
    pub name: Option<String>,
    /// New postal address.
    #[arg(long, value_name = "A", help_heading = "Fields")]
    pub address: Option<String>,
    /// New city.
    #[arg(long, value_name = "C", help_heading = "Fields")]
    pub city: Option<String>,
    /// New state or region.
    #[arg(long, value_name = "S", help_heading = "Fields")]
    pub state: Option<String>,
    /// New IANA time zone, e.g. Europe/Paris.
    #[arg(long, value_name = "TZ", help_heading = "Fields")]
    pub timezone: Option<String>,
    /// Which account, and how to reach it.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: Connection,
}

/// `check`'s thresholds.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// WARNING when the balance is below this many USD.
    #[arg(long, short = 'w', value_name = "USD", value_parser = parse_amount)]
    pub warning: Decimal,
    /// CRITICAL when the balance is below this many USD (at most --warning).
    #[arg(long, short = 'c', value_name = "USD", value_parser = parse_amount)]
    pub critical: Decimal,
    /// Every profile in the config file: the worst state, each in the perfdata.
    #[arg(long, conflicts_with_all = ["profile", "auth_id"])]
    pub all_profiles: bool,
    /// Which account, and how to reach it.
    #[command(flatten, next_help_heading = "Connection")]
    pub connection: Connection,
}

/// `sandbox`'s settings.
#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Address to listen on, HOST:PORT (a name such as localhost is looked
    /// up); port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// The account id the sandbox answers to [default: MA2025RK4E639VJFZAGV]
    #[arg(long, value_name = "ID")]
    pub auth_id: Option<String>,
    /// Token the sandbox accepts [default: a fresh random one].
    ///
    /// This is the sandbox's own made-up token, not a Plivo one.
    #[arg(long, value_name = "T")]
    pub auth_token: Option<String>,
    /// USD drawn from the balance per minute, to watch the monitor move.
    #[arg(long, value_name = "USD_PER_MIN", default_value = "0", value_parser = parse_amount)]
    pub drain: Decimal,
    /// Seed this many past days of calls and messages (about 100 calls and
    /// 150 messages a day, the same ones every time), at most 120.
    #[arg(long, value_name = "DAYS", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=120))]
    pub traffic: u32,
    /// SECS seconds after start (30 unless given, as --pumping=SECS), the
    /// first subaccount starts sending about 2 SMS a second (~0.05 USD
    /// each) to a country the account never sent to (LV): a spend spike
    /// for the dashboard to name.
    #[arg(long, value_name = "SECS", num_args = 0..=1, require_equals = true,
          default_missing_value = "30",
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub pumping: Option<u64>,
    /// Multiply the seeded days' volume by K (for benchmarks).
    #[arg(long, value_name = "K", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub traffic_scale: u32,
    /// Start with this many made-up subaccounts (names, dates, some
    /// disabled), to try paging and scale.
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub subaccounts: u32,
    /// Serve this many main accounts, each on its own port with its own
    /// auth id, token, balance and drain; prints a config file with a
    /// profile for each instead of export lines.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub accounts: u16,
    /// Hold every answer back this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Message-list requests taken a minute: Plivo's 20, unless raised for
    /// a benchmark of a large back-fill (with `usage sync --message-rate`).
    #[arg(long, value_name = "PER_MIN", default_value_t = MESSAGE_RATE,
          value_parser = clap::value_parser!(u32).range(1..=60_000))]
    pub message_rate: u32,
    /// Answer this share of requests (0 to 1) with 503, at random.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_share)]
    pub fail_rate: f64,
    /// Answer the first requests with these statuses, in order, e.g.
    /// `--faults 503,503,429:7` (429 with Retry-After: 7).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub faults: Vec<crate::sandbox::Fault>,
    /// Write a log of requests here; the level comes from PLIVO_DASH_LOG
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<std::path::PathBuf>,
}

/// `HOST:PORT` to listen on; a host name is looked up, preferring IPv4 so
/// that `localhost:0` gives the 127.0.0.1 every client reaches. `:PORT`
/// alone means every interface, as other exporters take it: `[::]`, which
/// [`listen::bind`](crate::listen::bind) makes IPv6 and IPv4 both.
fn parse_listen(s: &str) -> Result<SocketAddr, BadValue> {
    use std::net::ToSocketAddrs as _;
    let trimmed = s.trim();
    let every = format!("[::]{trimmed}");
    let addrs: Vec<SocketAddr> = if trimmed.starts_with(':') && !trimmed.starts_with("::") {
        every.as_str()
    } else {
        trimmed
    }
    .to_socket_addrs()
    .map_err(|e| BadValue::Address {
        given: s.to_owned(),
        why: e.to_string(),
    })?
    .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| BadValue::NoAddress(s.to_owned()))
}

/// A share between 0 and 1.
fn parse_share(s: &str) -> Result<f64, BadValue> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(BadValue::Share(s.to_owned())),
    }
}

/// A non-negative amount of USD, written as a plain decimal ("5", "1.809").
fn parse_amount(s: &str) -> Result<Decimal, BadValue> {
    let amount = s
        .trim()
        .parse::<Decimal>()
        .map_err(|_| BadValue::Amount(s.to_owned()))?;
    if amount.is_sign_negative() {
        return Err(BadValue::Negative(s.to_owned()));
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn listen_addresses_may_be_names() {
        assert_eq!(
            parse_listen("localhost:0").unwrap().ip().to_string(),
            "127.0.0.1"
        );
        assert_eq!(parse_listen("0.0.0.0:47020").unwrap().port(), 47020);
        assert_eq!(
            parse_listen(":9747").unwrap().to_string(),
            "[::]:9747",
            "every interface"
        );
        assert!(parse_listen(":").is_err());
        assert!(parse_listen("nowhere").is_err());
    }

    #[test]
    fn pumping_starts_30_s_in_unless_told_when() {
        let pumping =
            |args: &[&str]| match Cli::try_parse_from(["plivo-dash", "sandbox"].iter().chain(args))
                .map(|cli| cli.command)
            {
                Ok(Some(Subcommand::Sandbox(args))) => Ok(args.pumping),
                Ok(_) => panic!("the sandbox"),
                Err(e) => Err(e.kind()),
            };
        assert_eq!(pumping(&[]), Ok(None));
        assert_eq!(pumping(&["--pumping"]), Ok(Some(30)));
        assert_eq!(pumping(&["--pumping=0"]), Ok(Some(0)));
        // A value goes with `=`: `--pumping 5` would read 5 as a command.
        assert!(pumping(&["--pumping", "5"]).is_err());
        assert!(pumping(&["--pumping=soon"]).is_err());
    }

    #[test]
    fn amounts_are_plain_non_negative_decimals() {
        assert_eq!(parse_amount("1.809").unwrap().to_string(), "1.809");
        assert!(parse_amount("-1").is_err());
        assert!(parse_amount("five").is_err());
    }
}
