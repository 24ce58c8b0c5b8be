//! Generic rows: a record is a map of column → JSON value, written and read through the
//! catalog, so the event log and the state tables speak the same language.

use crate::error::{Error, Result};
use crate::store::{Catalog, ColumnKind};
use rusqlite::types::{ToSqlOutput, Value as SqlValue, ValueRef};
use rusqlite::{Connection, params_from_iter};
use serde_json::{Map, Value};

pub type Fields = Map<String, Value>;

fn to_sql(kind: ColumnKind, value: &Value) -> SqlValue {
    match (kind, value) {
        (_, Value::Null) => SqlValue::Null,
        (_, Value::Bool(b)) => SqlValue::Integer(i64::from(*b)),
        (_, Value::Number(n)) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or_default()),
        },
        (_, Value::String(s)) => SqlValue::Text(s.clone()),
        (_, other) => SqlValue::Text(other.to_string()),
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
    let mut cols = Vec::with_capacity(fields.len());
    let mut values: Vec<SqlValue> = Vec::with_capacity(fields.len() + 1);
    for (name, value) in fields {
        let kind = catalog
            .kind(table, name)
            .ok_or_else(|| Error::Corrupt(format!("no column {table}.{name}")))?;
        cols.push(name.as_str());
        values.push(to_sql(kind, value));
    }
    let exists = conn
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
        .exists([id])?;
    values.push(SqlValue::Text(id.to_owned()));
    let sql = if exists {
        if cols.is_empty() {
            return Ok(());
        }
        let sets: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 1))
            .collect();
        format!("UPDATE {table} SET {} WHERE id = ?{}", sets.join(", "), cols.len() + 1)
    } else {
        let marks: Vec<String> = (1..=cols.len() + 1).map(|i| format!("?{i}")).collect();
        format!(
            "INSERT INTO {table} ({}{}id) VALUES ({})",
            cols.join(", "),
            if cols.is_empty() { "" } else { ", " },
            marks.join(", ")
        )
    };
    conn.prepare_cached(&sql)?
        .execute(params_from_iter(values.iter().map(|v| ToSqlOutput::Borrowed(v.into()))))?;
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

/// The serde name of a unit enum variant ("in_service").
pub fn serde_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
