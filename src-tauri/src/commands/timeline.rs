//! A case's timeline: entries with their photos and scans, and looking at them.

use crate::error::{Failure, Result};
use crate::state::AppState;
use casebook::records::attachment::AttachmentInfo;
use casebook::records::timeline::EntryKind;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tauri::State;
use tauri::ipc::{InvokeBody, Request, Response};

/// The entry part of the request (see `add_timeline_entry`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewEntry {
    case_id: String,
    kind: EntryKind,
    body: String,
    occurred_at: String,
}

/// A record and the files that come with it (`split`).
#[derive(Deserialize)]
struct Framed<T> {
    #[serde(flatten)]
    record: T,
    /// The length of each file that follows, in order.
    sizes: Vec<usize>,
}

/// Splits a raw body: a 4-byte little-endian length, that many bytes of the record as JSON
/// (with `sizes`), then the files one after another. Files come raw, so a 5 MB photo is not
/// inflated into JSON; the record comes in the body, so Thai text needs no header encoding.
/// Also the letters received with their scans (`commands::received`).
pub(crate) fn split<T: DeserializeOwned>(bytes: &[u8]) -> Option<(T, Vec<Vec<u8>>)> {
    let length = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let framed: Framed<T> = serde_json::from_slice(bytes.get(4..4 + length)?).ok()?;
    let mut files = Vec::with_capacity(framed.sizes.len());
    let mut at = 4 + length;
    for size in &framed.sizes {
        files.push(bytes.get(at..at.checked_add(*size)?)?.to_vec());
        at += size;
    }
    (at == bytes.len()).then_some((framed.record, files))
}

/// A new timeline entry with its files, saved in one step: a file that cannot be stored
/// leaves nothing saved.
#[tauri::command]
pub fn add_timeline_entry(state: State<'_, AppState>, request: Request<'_>) -> Result<String> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Failure::BadRequest.into());
    };
    let (entry, files) = split::<NewEntry>(bytes).ok_or(Failure::BadRequest)?;
    state.with_book(|book, s| {
        book.add_timeline_entry_with_files(s, &entry.case_id, entry.kind, &entry.body, &entry.occurred_at, &files)
    })
}

#[tauri::command]
pub fn entry_attachments(state: State<'_, AppState>, entry_id: String) -> Result<Vec<AttachmentInfo>> {
    state.with_book(|book, s| book.entry_attachments(s, &entry_id))
}

/// What one attachment is (type, size), without its content. Not audited.
#[tauri::command]
pub fn attachment_info(state: State<'_, AppState>, sha256: String) -> Result<AttachmentInfo> {
    state.with_book(|book, s| book.attachment_info(s, &sha256))
}

/// A photo's thumbnail as raw JPEG bytes (empty for a PDF). Audited.
#[tauri::command]
pub fn attachment_thumbnail(state: State<'_, AppState>, sha256: String) -> Result<Response> {
    let small = state.with_book(|book, s| book.attachment_thumbnail(s, &sha256))?;
    Ok(Response::new(small.unwrap_or_default()))
}

/// A photo in full, as raw bytes. Audited.
#[tauri::command]
pub fn view_attachment(state: State<'_, AppState>, sha256: String) -> Result<Response> {
    let (_, bytes) = state.with_book(|book, s| book.attachment(s, &sha256))?;
    Ok(Response::new(bytes))
}

/// A PDF attachment written into `exports`, to open in the system's viewer (the web view
/// shows none); its path. Audited as a view.
#[tauri::command]
pub fn export_attachment(state: State<'_, AppState>, sha256: String) -> Result<String> {
    let (mime, bytes) = state.with_book(|book, s| book.attachment(s, &sha256))?;
    if mime != "application/pdf" {
        return Err(Failure::BadRequest.into());
    }
    let short: String = sha256.chars().filter(char::is_ascii_hexdigit).take(12).collect();
    state.export_bytes(&format!("attachment-{short}.pdf"), &bytes)
}

#[cfg(test)]
mod tests {
    use super::{NewEntry, split};

    fn framed(entry: &str, files: &[&[u8]]) -> Vec<u8> {
        let mut out = (entry.len() as u32).to_le_bytes().to_vec();
        out.extend(entry.as_bytes());
        for file in files {
            out.extend(*file);
        }
        out
    }

    #[test]
    fn the_body_splits_into_the_entry_and_its_files_or_is_refused() {
        let entry = r#"{"caseId":"c","kind":"home_visit","body":"เยี่ยมบ้าน","occurredAt":"x","sizes":[3,2]}"#;
        let (parsed, files) = split::<NewEntry>(&framed(entry, &[b"abc", b"de"])).unwrap();
        assert_eq!(
            (parsed.body.as_str(), files),
            ("เยี่ยมบ้าน", vec![b"abc".to_vec(), b"de".to_vec()])
        );
        // A file cut short, bytes left over, a length past the end: refused.
        assert!(split::<NewEntry>(&framed(entry, &[b"abc", b"d"])).is_none());
        assert!(split::<NewEntry>(&framed(entry, &[b"abc", b"def"])).is_none());
        assert!(split::<NewEntry>(&[255, 255, 255, 255, b'{']).is_none());
    }
}
