//! What every sandbox endpoint answers with: a fresh `api_id` and Plivo's
//! JSON error body. Its own module so the endpoint modules share it without
//! reaching into each other.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A fresh response id, as Plivo gives every answer.
pub(super) fn api_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// An error answer with Plivo's JSON body.
pub(super) fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "api_id": api_id(), "error": message })),
    )
        .into_response()
}
