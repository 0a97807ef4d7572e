use super::Failure;
use crate::plivo::{Account, Client};
use crate::text::sanitize;

/// `get`: the account as a readable summary, or with `json` the API object.
pub async fn get(client: &Client, json: bool) -> Result<String, Failure> {
    let account = client.get_account().await?;
    if json {
        // Serialising our own struct (not echoing the body) means the output
        // is always well-formed JSON with credits kept as the API's string.
        let text = serde_json::to_string_pretty(&account)
            .map_err(|e| Failure::Usage(format!("cannot encode the account: {e}")))?;
        Ok(text + "\n")
    } else {
        // A page of one says how many subaccounts there are; an account
        // that cannot list them (a subaccount) just shows no count.
        let count = client
            .list_subaccounts(1, 0)
            .await
            .ok()
            .map(|page| page.meta.total_count);
        Ok(summary(&account, count))
    }
}

/// Every field of the account, one per line, safe to print to a terminal.
pub fn summary(account: &Account, subaccounts: Option<u32>) -> String {
    let shown = |s: &str| {
        if s.is_empty() {
            "—".to_owned()
        } else {
            sanitize(s)
        }
    };
    let account_type = account.account_type.describe();
    let rows = [
        ("Name", shown(&account.name)),
        ("Auth ID", shown(&account.auth_id)),
        ("Credits", format!("{} USD", account.cash_credits)),
        ("Billing mode", sanitize(account.billing_mode.as_str())),
        ("Account type", sanitize(&account_type)),
        (
            "Auto-recharge",
            if account.auto_recharge { "on" } else { "off" }.to_owned(),
        ),
        ("Address", shown(&account.address)),
        ("City", shown(&account.city)),
        ("State", shown(&account.state)),
        ("Timezone", shown(&account.timezone)),
        ("Resource URI", shown(&account.resource_uri)),
        ("API ID", shown(account.api_id.as_deref().unwrap_or(""))),
    ];
    let count = subaccounts.map(|n| ("Subaccounts", n.to_string()));
    rows.into_iter()
        .chain(count)
        .map(|(label, value)| format!("{label:<14}{value}\n"))
        .collect()
}
