//! The Subaccount API's objects: a subaccount, a page of them, and the
//! replies to create and update. A subaccount has no balance of its own; it
//! spends its parent's.

use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

/// The most subaccounts one list request may ask for (the API answers 400
/// above it; the SDKs refuse it).
pub const PAGE_LIMIT: u32 = 20;

/// Why `name` cannot be a subaccount's name, if it cannot: a phrase that
/// follows "Name" ("Name is required"). `name` is taken trimmed, as it is
/// sent. The one rule the subaccounts screen and the command line share.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("required")
    } else {
        super::text_problem(name)
    }
}

/// `GET /v1/Account/{auth_id}/Subaccount/{sub_id}/`, and each object of a
/// list page. The token comes in clear from the API and is kept a secret:
/// never in `Debug`, logs or errors.
#[derive(Debug, Clone, Deserialize)]
pub struct Subaccount {
    /// The parent account's URI.
    #[serde(default)]
    pub account: String,
    /// `SA` + 18 (kept as sent; one SDK's fixture has "1").
    pub auth_id: String,
    /// The subaccount's token.
    pub auth_token: SecretString,
    /// When it was created ("2017-05-22").
    #[serde(default)]
    pub created: String,
    /// Whether it may be used.
    #[serde(default)]
    pub enabled: bool,
    /// When it was last changed, if ever.
    #[serde(default)]
    pub modified: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its URI.
    #[serde(default)]
    pub resource_uri: String,
    /// The id Plivo gave the response (absent in list objects).
    #[serde(default)]
    pub api_id: Option<String>,
}

impl PartialEq for Subaccount {
    fn eq(&self, other: &Self) -> bool {
        self.to_json(true) == other.to_json(true)
    }
}

impl Subaccount {
    /// The object as JSON, as the API sent it but with `auth_token` (and
    /// `new_auth_token`) left out unless `show_token`.
    pub(crate) fn to_json(&self, show_token: bool) -> Value {
        let mut value = json!({
            "account": self.account,
            "auth_id": self.auth_id,
            "created": self.created,
            "enabled": self.enabled,
            "modified": self.modified,
            "name": self.name,
            "resource_uri": self.resource_uri,
        });
        if let Some(api_id) = &self.api_id {
            value["api_id"] = json!(api_id);
        }
        if show_token {
            value["auth_token"] = json!(self.auth_token.expose_secret());
        }
        value
    }
}

/// One page of `GET …/Subaccount/?limit=L&offset=O`, newest first.
#[derive(Debug, Clone, Deserialize)]
pub struct Page {
    /// Where this page is in the whole list.
    pub meta: Meta,
    /// The subaccounts on it.
    #[serde(default)]
    pub objects: Vec<Subaccount>,
}

impl super::pager::Keyed for Subaccount {
    fn key(&self) -> &str {
        &self.auth_id
    }
}

/// A list page's position.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Meta {
    /// The page size asked for.
    pub limit: u32,
    /// How many come before this page.
    pub offset: u32,
    /// How many there are in all.
    pub total_count: u32,
    /// The next page's URI, if there is one.
    #[serde(default, deserialize_with = "link")]
    pub next: Option<String>,
    /// The previous page's URI, if there is one.
    #[serde(default, deserialize_with = "link")]
    pub previous: Option<String>,
}

/// A page link: a URI, or null, or (as other Plivo lists send) a boolean.
pub(super) fn link<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(uri)) if !uri.is_empty() => Some(uri),
        _ => None,
    })
}

/// The reply to a create: `201 {api_id, auth_id, auth_token, message}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Created {
    /// The id Plivo gave this response.
    #[serde(default)]
    pub api_id: Option<String>,
    /// The new subaccount's id.
    pub auth_id: String,
    /// Its token.
    pub auth_token: SecretString,
    /// "created".
    #[serde(default)]
    pub message: String,
}

/// The body of `POST …/Subaccount/` and `POST …/Subaccount/{sub_id}/`: the
/// name is required by both; `enabled` defaults to false on create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubaccountChange {
    /// The name.
    pub name: String,
    /// Whether it may be used.
    #[serde(default)]
    pub enabled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_uris_nulls_or_booleans() {
        let meta = |next: &str| -> Meta {
            serde_json::from_str(&format!(
                r#"{{"limit":20,"offset":0,"total_count":3,"next":{next},"previous":null}}"#
            ))
            .unwrap()
        };
        assert_eq!(meta("null").next, None);
        assert_eq!(meta("false").next, None);
        assert_eq!(meta("true").next, None);
        assert_eq!(
            meta(r#""/v1/Account/MA/Subaccount/?limit=20&offset=20""#)
                .next
                .as_deref(),
            Some("/v1/Account/MA/Subaccount/?limit=20&offset=20")
        );
    }

    #[test]
    fn the_token_is_kept_secret() {
        let sub: Subaccount = serde_json::from_str(
            r#"{"auth_id":"SAODNKNDDMY2EXY2JKMG","auth_token":"s3cr3t-s3cr3t","name":"x"}"#,
        )
        .unwrap();
        assert!(!format!("{sub:?}").contains("s3cr3t"));
        assert!(!sub.to_json(false).to_string().contains("s3cr3t"));
        assert!(sub.to_json(true).to_string().contains("s3cr3t"));
    }
}
