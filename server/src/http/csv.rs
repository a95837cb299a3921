//! Every list answer as CSV, every answer as a spreadsheet. `?format=csv` or
//! `Accept: text/csv` on any `GET` whose JSON answer is a list (`{"items": [...]}` or a
//! bare array) gives the same rows as RFC 4180 CSV, with the JSON's columns.
//! `?format=xlsx` or `Accept:` [`XLSX`] gives an Excel workbook of any JSON answer: a
//! `summary` sheet with the answer's own fields (its moment first), then one sheet per list
//! of rows in it (`items`, a summary's `lines`, compliance's `countries`, a trail's
//! `contributions`…), with the same columns as the CSV. One route layer does both for every
//! route, after the handler: the rows are exactly the JSON rows (the reader's visibility
//! and the moment already applied), and the headers (`Ledger-As-Of`, `Link`, …) are kept.
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

/// The media type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A tabular form an answer can take besides JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Csv,
    Xlsx,
}

impl Form {
    fn parameter(self) -> &'static str {
        match self {
            Form::Csv => "format=csv",
            Form::Xlsx => "format=xlsx",
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            Form::Csv => "text/csv",
            Form::Xlsx => XLSX,
        }
    }
}

/// The form the request asks for: `format=csv|xlsx` in the query, or its media type
/// accepted before any JSON.
fn wanted(request: &Request) -> Option<Form> {
    [Form::Csv, Form::Xlsx].into_iter().find(|form| {
        let by_query =
            request.uri().query().is_some_and(|q| q.split('&').any(|pair| pair.eq_ignore_ascii_case(form.parameter())));
        let by_accept = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| {
            let wanted = accept.find(form.media_type());
            let json = accept.find("application/json");
            wanted.is_some_and(|c| json.is_none_or(|j| c < j))
        });
        by_query || by_accept
    })
}

/// Whether the request asks for CSV (`format=csv`, or `text/csv` accepted before JSON).
pub fn wants_csv(request: &Request) -> bool {
    wanted(request) == Some(Form::Csv)
}

/// The route layer: runs the handler, then turns a successful JSON answer into the form
/// asked for.
pub async fn negotiate(mut request: Request, next: Next) -> Response {
    let Some(form) = wanted(&request).filter(|_| request.method() == Method::GET) else {
        return next.run(request).await;
    };
    let name = request.uri().path().rsplit('/').next().unwrap_or("answer").trim_end_matches(".xml").to_string();
    // The handler sees the read without `format=…`: its own parameters are unchanged.
    if let Some(query) = request.uri().query() {
        let kept: Vec<&str> = query.split('&').filter(|p| !p.eq_ignore_ascii_case(form.parameter())).collect();
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
    convert(response, form, &name).await
}

/// A handler's answer in the form asked for: a successful JSON answer becomes the workbook
/// (`{name}.xlsx`) or, when it is a list, CSV (otherwise a 406); any other answer is
/// returned as it is. The route layer and the pages' downloads both call it.
pub async fn convert(response: Response, form: Form, name: &str) -> Response {
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
    if form == Form::Xlsx {
        return match workbook(&value) {
            Ok(bytes) => {
                parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX));
                parts.headers.remove(header::CONTENT_LENGTH);
                let disposition = format!("attachment; filename=\"{name}.xlsx\"");
                if let Ok(disposition) = HeaderValue::from_str(&disposition) {
                    parts.headers.insert(header::CONTENT_DISPOSITION, disposition);
                }
                Response::from_parts(parts, Body::from(bytes))
            }
            Err(e) => ApiError::Internal(anyhow::anyhow!("writing the workbook: {e}")).into_response(),
        };
    }
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
fn flatten<'a>(prefix: &str, value: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(members) if !members.is_empty() => {
            for (name, member) in members {
                let column = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
                flatten(&column, member, out);
            }
        }
        other => out.push((if prefix.is_empty() { "value".to_string() } else { prefix.to_string() }, other)),
    }
}

/// The rows as a table: the columns in first-seen order, and per row its cell per column
/// (`None` where the row has no such member).
fn table(rows: &[Value]) -> (Vec<String>, Vec<Vec<Option<&Value>>>) {
    let flat: Vec<Vec<(String, &Value)>> = rows
        .iter()
        .map(|row| {
            let mut cells = Vec::new();
            match row {
                Value::Object(_) => flatten("", row, &mut cells),
                other => cells.push(("value".to_string(), other)),
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
    let cells = flat
        .iter()
        .map(|row| columns.iter().map(|c| row.iter().find(|(name, _)| name == c).map(|(_, v)| *v)).collect())
        .collect();
    (columns, cells)
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
    let (columns, cells) = table(rows);
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(&columns)?;
    for row in &cells {
        writer.write_record(row.iter().map(|c| c.map(cell).unwrap_or_default()))?;
    }
    let bytes = writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// An Excel workbook of an answer: a `summary` sheet of its own fields (name, value; lists
/// of rows left to their sheets), then a sheet per list of objects in it, named after the
/// member (`items` first). Numbers stay numbers; text is written as text, never as a
/// formula.
pub fn workbook(answer: &Value) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let empty = Map::new();
    let fields = match answer {
        Value::Object(fields) => fields,
        _ => &empty,
    };
    let is_rows = |v: &Value| v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_object));
    let summary = book.add_worksheet();
    summary.set_name("summary")?;
    let mut own: Vec<(String, &Value)> = Vec::new();
    for key in ["as_of", "known_at"] {
        if let Some(value) = fields.get(key) {
            own.push((key.to_string(), value));
        }
    }
    for (name, value) in fields {
        if name != "as_of" && name != "known_at" && !is_rows(value) {
            flatten(name, value, &mut own);
        }
    }
    summary.write_string(0, 0, "field")?;
    summary.write_string(0, 1, "value")?;
    for (i, (name, value)) in own.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        summary.write_string(row, 0, name)?;
        write_cell(summary, row, 1, value)?;
    }
    let mut lists: Vec<(&str, &Vec<Value>)> = Vec::new();
    match answer {
        Value::Array(rows) => lists.push(("items", rows)),
        _ => {
            if let Some(rows) = fields.get("items").and_then(Value::as_array) {
                lists.push(("items", rows));
            }
            for (name, value) in fields {
                if name != "items" && is_rows(value) {
                    lists.push((name, value.as_array().expect("rows are an array")));
                }
            }
        }
    }
    for (name, rows) in lists {
        let sheet = book.add_worksheet();
        sheet.set_name(name.chars().take(31).collect::<String>())?;
        let (columns, cells) = table(rows);
        for (c, column) in columns.iter().enumerate() {
            sheet.write_string(0, u16::try_from(c).unwrap_or(u16::MAX), column)?;
        }
        for (r, row) in cells.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if let Some(value) = value {
                    let (r, c) = (u32::try_from(r + 1).unwrap_or(u32::MAX), u16::try_from(c).unwrap_or(u16::MAX));
                    write_cell(sheet, r, c, value)?;
                }
            }
        }
    }
    book.save_to_buffer()
}

fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    column: u16,
    value: &Value,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match value {
        Value::Null => {}
        Value::Number(n) => {
            sheet.write_number(row, column, n.as_f64().unwrap_or_default())?;
        }
        Value::Bool(b) => {
            sheet.write_boolean(row, column, *b)?;
        }
        Value::String(text) => {
            sheet.write_string(row, column, text)?;
        }
        other => {
            sheet.write_string(row, column, other.to_string())?;
        }
    }
    Ok(())
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
