//! The client engine: push this device's unacknowledged events in batches, then pull what the
//! hub has for this unit until it has nothing more. Every step is safe to repeat, so a fault
//! anywhere (a dropped connection, a killed process) only means the next run does it again.

use crate::wire::{EnrollRequest, EnrollResponse, PullResponse, PushRequest, PushResponse, WireEvent};
use casebook::events::Event;
use casebook::sync::{Incoming, Received};

/// Events per request, both ways.
const BATCH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the hub cannot be reached: {0}")]
    Network(String),
    #[error("the hub does not know this device, or it was revoked")]
    Unauthorized,
    #[error("the hub refused the request ({0})")]
    Refused(u16),
    #[error("the hub acknowledged nothing new; sync stopped to try again later")]
    Stalled,
    #[error("the case book: {0}")]
    Book(#[from] casebook::Error),
}

impl From<reqwest::Error> for SyncError {
    fn from(err: reqwest::Error) -> SyncError {
        // The message names the host and the failure, never a request body.
        SyncError::Network(err.without_url().to_string())
    }
}

/// The case book as sync sees it; the app implements it over its locked book so the lock is
/// never held while waiting on the network.
pub trait Replica {
    fn unpushed(&self, limit: usize) -> Result<Vec<Event>, casebook::Error>;
    fn mark_pushed(&self, seq: i64) -> Result<(), casebook::Error>;
    fn pull_cursor(&self) -> Result<i64, casebook::Error>;
    fn receive(&self, incoming: Vec<Incoming>, cursor: i64) -> Result<Received, casebook::Error>;
}

impl Replica for std::sync::Mutex<casebook::Casebook> {
    fn unpushed(&self, limit: usize) -> Result<Vec<Event>, casebook::Error> {
        self.lock().map_err(|_| poisoned())?.unpushed(limit)
    }
    fn mark_pushed(&self, seq: i64) -> Result<(), casebook::Error> {
        self.lock().map_err(|_| poisoned())?.mark_pushed(seq)
    }
    fn pull_cursor(&self) -> Result<i64, casebook::Error> {
        Ok(self.lock().map_err(|_| poisoned())?.sync_position()?.pull_cursor)
    }
    fn receive(&self, incoming: Vec<Incoming>, cursor: i64) -> Result<Received, casebook::Error> {
        self.lock().map_err(|_| poisoned())?.receive(incoming, cursor)
    }
}

fn poisoned() -> casebook::Error {
    casebook::Error::Corrupt("the case book lock was poisoned".into())
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u64,
    pub received: Received,
}

/// A device's connection to its hub.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    pub fn new(base: &str, token: Option<String>) -> Client {
        Client {
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .unwrap_or_default(),
            base: base.trim_end_matches('/').to_owned(),
            token,
        }
    }

    /// Trades a one-time enrollment code for this device's identity and token.
    pub async fn enroll(&self, code: &str, device_id: &str, device_name: &str) -> Result<EnrollResponse, SyncError> {
        let response = self
            .http
            .post(format!("{}/v1/enroll", self.base))
            .json(&EnrollRequest {
                code: code.to_owned(),
                device_id: device_id.to_owned(),
                device_name: device_name.to_owned(),
            })
            .send()
            .await?;
        Ok(checked(response)?.json().await?)
    }

    async fn push(&self, events: Vec<WireEvent>) -> Result<PushResponse, SyncError> {
        let response = self
            .authorized(self.http.post(format!("{}/v1/push", self.base)))
            .json(&PushRequest { events })
            .send()
            .await?;
        Ok(checked(response)?.json().await?)
    }

    async fn pull(&self, after: i64) -> Result<PullResponse, SyncError> {
        let response = self
            .authorized(
                self.http
                    .get(format!("{}/v1/pull?after={after}&limit={BATCH}", self.base)),
            )
            .send()
            .await?;
        Ok(checked(response)?.json().await?)
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }
}

fn checked(response: reqwest::Response) -> Result<reqwest::Response, SyncError> {
    match response.status().as_u16() {
        200..=299 => Ok(response),
        401 | 403 => Err(SyncError::Unauthorized),
        code => Err(SyncError::Refused(code)),
    }
}

/// One full sync: push until the hub holds every local event, then pull until it has nothing
/// newer. Nothing counts as pushed until the hub says it committed it.
pub async fn sync_once(replica: &impl Replica, client: &Client, known_schema: u32) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let mut acked_before = i64::MIN;
    loop {
        let batch = replica.unpushed(BATCH)?;
        if batch.is_empty() {
            break;
        }
        let last = batch.last().map_or(0, |e| e.device_seq);
        let sent = batch.len() as u64;
        let ack = client.push(batch.iter().map(WireEvent::from_event).collect()).await?;
        replica.mark_pushed(ack.acked_seq)?;
        report.pushed += sent;
        // Short of `last`, the hub lacks an earlier event: the loop sends again from its point.
        if ack.acked_seq < last && ack.acked_seq <= acked_before {
            return Err(SyncError::Stalled);
        }
        acked_before = ack.acked_seq;
    }
    loop {
        let after = replica.pull_cursor()?;
        let page = client.pull(after).await?;
        if page.events.is_empty() {
            break;
        }
        let incoming = page
            .events
            .into_iter()
            .map(|p| p.event.into_incoming(known_schema))
            .collect();
        let got = replica.receive(incoming, page.cursor)?;
        report.received.applied += got.applied;
        report.received.duplicates += got.duplicates;
        report.received.quarantined += got.quarantined;
    }
    Ok(report)
}
