//! Generic rows: a record is a map of column → JSON value, written and read through the
//! catalog, so the event log and the state tables speak the same language.

use crate::error::{Error, Result};
use crate::store::{Catalog, ColumnKind};
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, params_from_iter};
use serde_json::{Map, Value};
use std::fmt::Write;

/// A new row or event id: a UUIDv7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub type Fields = Map<String, Value>;

/// A JSON value as SQLite takes it; strings are lent, not copied (a sync writes a million).
fn to_sql(value: &Value) -> ToSqlOutput<'_> {
    match value {
        Value::Null => ToSqlOutput::Owned(SqlValue::Null),
        Value::Bool(b) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(*b))),
        Value::Number(n) => ToSqlOutput::Owned(match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or_default()),
        }),
        Value::String(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        other => ToSqlOutput::Owned(SqlValue::Text(other.to_string())),
    }
}

fn from_sql(kind: ColumnKind, value: ValueRef<'_>) -> Result<Value> {
    Ok(match (kind, value) {
        (_, ValueRef::Null) => Value::Null,
        (ColumnKind::Boolean, ValueRef::Integer(i)) => Value::Bool(i != 0),
        (ColumnKind::Json, ValueRef::Text(t)) => {
            serde_json::from_slice(t).map_err(|e| Error::Corrupt(e.to_string()))?
        }
        (_, ValueRef::Integer(i)) => Value::from(i),
        (_, ValueRef::Real(f)) => Value::from(f),
        (_, ValueRef::Text(t)) => Value::String(String::from_utf8_lossy(t).into_owned()),
        (_, ValueRef::Blob(_)) => return Err(Error::Corrupt("unexpected blob".into())),
    })
}

/// Inserts the row or updates the given columns of it. Unknown columns are refused.
pub fn write(conn: &Connection, catalog: &Catalog, table: &str, id: &str, fields: &Fields) -> Result<()> {
    for name in fields.keys() {
        catalog
            .kind(table, name)
            .ok_or_else(|| Error::Corrupt(format!("no column {table}.{name}")))?;
    }
    let exists = conn
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
        .exists([id])?;
    if exists && fields.is_empty() {
        return Ok(());
    }
    // The statement text is the key of the statement cache: built in one string.
    let mut sql = String::with_capacity(48 + 32 * fields.len());
    let id_mark = fields.len() + 1;
    if exists {
        let _ = write!(sql, "UPDATE {table} SET ");
        for (i, name) in fields.keys().enumerate() {
            let _ = write!(sql, "{}{name} = ?{}", if i == 0 { "" } else { ", " }, i + 1);
        }
        let _ = write!(sql, " WHERE id = ?{id_mark}");
    } else {
        let _ = write!(sql, "INSERT INTO {table} (");
        for name in fields.keys() {
            let _ = write!(sql, "{name}, ");
        }
        sql.push_str("id) VALUES (");
        for i in 1..id_mark {
            let _ = write!(sql, "?{i}, ");
        }
        let _ = write!(sql, "?{id_mark})");
    }
    let values = fields
        .values()
        .map(to_sql)
        .chain(std::iter::once(ToSqlOutput::Borrowed(ValueRef::Text(id.as_bytes()))));
    conn.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    Ok(())
}

/// Reads rows of `table` matching `where_sql` (with `?1`… placeholders) as maps.
pub fn select(
    conn: &Connection,
    catalog: &Catalog,
    table: &str,
    where_sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Fields>> {
    let columns = catalog.columns(table);
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let sql = format!("SELECT {} FROM {table} {where_sql}", names.join(", "));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut map = Fields::new();
        for (i, (name, kind)) in columns.iter().enumerate() {
            map.insert(name.clone(), from_sql(*kind, row.get_ref(i)?)?);
        }
        out.push(map);
    }
    Ok(out)
}

pub fn get(conn: &Connection, catalog: &Catalog, table: &str, id: &str) -> Result<Option<Fields>> {
    Ok(select(conn, catalog, table, "WHERE id = ?1", &[&id])?
        .into_iter()
        .next())
}

/// A typed record from a row map.
pub fn decode<T: serde::de::DeserializeOwned>(fields: Fields) -> Result<T> {
    serde_json::from_value(Value::Object(fields)).map_err(|e| Error::Corrupt(e.to_string()))
}

/// A row map from a typed record.
pub fn encode<T: serde::Serialize>(record: &T) -> Result<Fields> {
    match serde_json::to_value(record).map_err(|e| Error::Corrupt(e.to_string()))? {
        Value::Object(map) => Ok(map),
        _ => Err(Error::Corrupt("record is not an object".into())),
    }
}
