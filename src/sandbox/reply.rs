//! What every sandbox endpoint answers with: a fresh `api_id`, Plivo's
//! JSON error body, and a list's page. Its own module so the endpoint
//! modules share it without reaching into each other.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::ListFault;

/// A fresh response id, as Plivo gives every answer: a version-4 uuid
/// from fastrand's bytes (an id to tell answers apart, not a secret).
pub(super) fn api_id() -> String {
    let mut bytes = [0u8; 16];
    fastrand::fill(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// An error answer with Plivo's JSON body.
pub(super) fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "api_id": api_id(), "error": message })),
    )
        .into_response()
}

/// A list's page `{api_id, meta, objects}` for a request of `limit` from
/// `asked`: `serve(offset)` gives the list's count and the objects from
/// `offset`, `link(offset)` a page's URI. `fault` bends the page as a
/// misbehaving server would (the first page again whatever is asked, a
/// wrong count, empty pages that still promise more).
pub(super) fn list_page(
    fault: ListFault,
    asked: usize,
    limit: usize,
    serve: impl FnOnce(usize) -> (usize, Vec<Value>),
    link: impl Fn(usize) -> String,
) -> Response {
    let repeats = matches!(fault, ListFault::RepeatNext | ListFault::SameObjects);
    let mut offset = if repeats { 0 } else { asked };
    let (mut total, mut objects) = serve(offset);
    let start = offset.min(total);
    let end = start.saturating_add(limit).min(total);
    let mut next = (end < total).then(|| link(end));
    let previous = (start > 0).then(|| link(start.saturating_sub(limit)));
    let after = link(asked.saturating_add(limit));
    match fault {
        ListFault::None => {}
        ListFault::RepeatNext => total = 1_000_000,
        ListFault::SameObjects => {
            total = 1_000_000;
            offset = asked;
            next = Some(after);
        }
        ListFault::Total(count) => total = usize::try_from(count).unwrap_or(usize::MAX),
        ListFault::EmptyFrom(from) if asked >= usize::try_from(from).unwrap_or(usize::MAX) => {
            objects.clear();
            next = Some(after);
        }
        ListFault::EmptyFrom(_) | ListFault::RefuseSubaccount => {}
    }
    let page = json!({
        "api_id": api_id(),
        "meta": {
            "limit": limit,
            "offset": offset,
            "total_count": total,
            "next": next,
            "previous": previous,
        },
        "objects": objects,
    });
    (StatusCode::OK, axum::Json(page)).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_api_id_is_a_fresh_version_4_uuid() {
        let id = super::api_id();
        let parsed = uuid::Uuid::parse_str(&id).expect("a uuid");
        assert_eq!(parsed.get_version_num(), 4, "{id}");
        assert_ne!(id, super::api_id(), "a new one each answer");
    }
}
