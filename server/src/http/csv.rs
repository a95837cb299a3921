//! Every list answer as CSV: `?format=csv` or `Accept: text/csv` on any `GET` whose JSON
//! answer is a list (`{"items": [...]}` or a bare array) gives the same rows as RFC 4180
//! CSV, with the JSON's columns. One route layer does it for every route, after the
//! handler: the rows are exactly the JSON rows (the reader's visibility and the moment
//! already applied), and the headers (`Ledger-As-Of`, `Link`, …) are kept.
//!
//! Columns are the rows' members in first-seen order (within a row, the JSON's order); a nested object becomes one column
//! per member, named with dots (`amount.amount_minor`); an array stays JSON in its cell;
//! `null` is an empty cell. A text cell starting with `=`, `+`, `-` or `@` is prefixed with
//! `'` so that a spreadsheet never runs it as a formula. An answer that is not a list is a
//! 406 naming the JSON it would have been.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::error::ApiError;

/// The largest JSON answer converted (larger pages are refused by `limit` anyway).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Whether the request asks for CSV: `format=csv` in the query, or `text/csv` accepted
/// before any JSON.
pub fn wants_csv(request: &Request) -> bool {
    let by_query =
        request.uri().query().is_some_and(|q| q.split('&').any(|pair| pair.eq_ignore_ascii_case("format=csv")));
    let by_accept = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| {
        let csv = accept.find("text/csv");
        let json = accept.find("application/json");
        csv.is_some_and(|c| json.is_none_or(|j| c < j))
    });
    by_query || by_accept
}

/// The route layer: runs the handler, then turns a successful JSON list into CSV.
pub async fn negotiate(mut request: Request, next: Next) -> Response {
    if request.method() != Method::GET || !wants_csv(&request) {
        return next.run(request).await;
    }
    // The handler sees the read without `format=csv`: its own parameters are unchanged.
    if let Some(query) = request.uri().query() {
        let kept: Vec<&str> = query.split('&').filter(|p| !p.eq_ignore_ascii_case("format=csv")).collect();
        let target = if kept.is_empty() {
            request.uri().path().to_string()
        } else {
            format!("{}?{}", request.uri().path(), kept.join("&"))
        };
        if let Ok(uri) = target.parse() {
            *request.uri_mut() = uri;
        }
    }
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !response.status().is_success() || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => return ApiError::Internal(anyhow::anyhow!("reading the answer: {e}")).into_response(),
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(e) => return ApiError::Internal(anyhow::anyhow!("the answer is not JSON: {e}")).into_response(),
    };
    let Some(rows) = rows_of(&value) else {
        return ApiError::NotAcceptable(
            "this answer is not a list, so it has no CSV form; ask for application/json".into(),
        )
        .into_response();
    };
    match to_csv(rows) {
        Ok(text) => {
            parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(text))
        }
        Err(e) => ApiError::Internal(anyhow::anyhow!("writing CSV: {e}")).into_response(),
    }
}

/// The rows of a list answer: its `items`, or the array itself.
fn rows_of(value: &Value) -> Option<&[Value]> {
    match value {
        Value::Array(rows) => Some(rows),
        Value::Object(body) => body.get("items").and_then(Value::as_array).map(Vec::as_slice),
        _ => None,
    }
}

/// One row's cells by column name, nested objects flattened with dots.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(members) if !members.is_empty() => {
            for (name, member) in members {
                let column = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
                flatten(&column, member, out);
            }
        }
        other => out.push((if prefix.is_empty() { "value".to_string() } else { prefix.to_string() }, cell(other))),
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) if text.starts_with(['=', '+', '-', '@']) => format!("'{text}"),
        Value::String(text) => text.clone(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// RFC 4180 CSV of the rows, with a header line of the columns in first-seen order.
pub fn to_csv(rows: &[Value]) -> Result<String, csv::Error> {
    let flat: Vec<Vec<(String, String)>> = rows
        .iter()
        .map(|row| {
            let mut cells = Vec::new();
            match row {
                Value::Object(_) => flatten("", row, &mut cells),
                other => {
                    flatten("", &Value::Object(Map::from_iter([("value".to_string(), other.clone())])), &mut cells)
                }
            }
            cells
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for row in &flat {
        for (name, _) in row {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
    }
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(&columns)?;
    for row in &flat {
        let record: Vec<&str> =
            columns.iter().map(|c| row.iter().find(|(name, _)| name == c).map_or("", |(_, v)| v.as_str())).collect();
        writer.write_record(&record)?;
    }
    let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_become_columns_with_nested_members_dotted() {
        let rows = [
            json!({"id": "C-1", "amount": {"amount_minor": 250, "currency": "USD"}, "tags": ["a", "b"], "note": null}),
            json!({"id": "C-2", "extra": true, "note": "a, \"quoted\"\nline"}),
        ];
        let text = to_csv(&rows).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        // Members come in the JSON's order (sorted by name, as the answers are written).
        assert_eq!(lines[0], "amount.amount_minor,amount.currency,id,note,tags,extra");
        assert_eq!(lines[1], "250,USD,C-1,,\"[\"\"a\"\",\"\"b\"\"]\",");
        assert!(text.contains(",,C-2,\"a, \"\"quoted\"\"\nline\",,true"), "{text}");
    }

    #[test]
    fn a_formula_never_reaches_a_spreadsheet() {
        let text = to_csv(&[json!({"name": "=HYPERLINK(\"x\")", "n": -5, "m": "-5"})]).unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(text.starts_with("m,n,name\r\n'-5,-5,"), "numbers stay numbers: {text}");
    }

    #[test]
    fn only_lists_have_rows() {
        assert_eq!(rows_of(&json!({"items": [1, 2]})).map(<[Value]>::len), Some(2));
        assert_eq!(rows_of(&json!([{"a": 1}])).map(<[Value]>::len), Some(1));
        assert!(rows_of(&json!({"exists": false})).is_none());
        assert_eq!(to_csv(&[json!(7)]).unwrap(), "value\r\n7\r\n");
    }
}
