//! The config file's `[keys]`: each action rebound to a key or a list of
//! keys, read by serde and handed to the keymap, which knows the keys.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::keymap::{Keymap, RebindError};

/// One action's keys as the file gives them. Anything else is kept as
/// `Neither` rather than failing the parse, so the error can name the
/// action (TOML's own would not).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Binding {
    /// `quit = "x"`
    One(String),
    /// `refresh = ["r", "F5"]`
    Many(Vec<String>),
    /// A number, a table, a list with something other than strings in it.
    Neither(IgnoredAny),
}

/// Why `[keys]` cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    /// An action given something other than a key or a list of keys.
    #[error(
        "[keys] {0}: give a key as a string, such as \"x\", or a list of them, such as [\"r\", \"F5\"]"
    )]
    NotKeys(String),
    /// The keymap refuses the rebinding.
    #[error(transparent)]
    Rebind(#[from] RebindError),
}

/// The default keymap with `keys` applied.
pub(super) fn keymap(keys: &BTreeMap<String, Binding>) -> Result<Keymap, KeysError> {
    let changes = keys
        .iter()
        .map(|(action, binding)| match binding {
            Binding::One(key) => Ok((action.clone(), vec![key.clone()])),
            Binding::Many(keys) => Ok((action.clone(), keys.clone())),
            Binding::Neither(IgnoredAny) => Err(KeysError::NotKeys(action.clone())),
        })
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    Ok(Keymap::with_changes(&changes)?)
}
