//! The client engine: push this device's unacknowledged events in batches, then pull what the
//! hub has for this unit until it has nothing more. Every step is safe to repeat, so a fault
//! anywhere (a dropped connection, a killed process) only means the next run does it again.

use crate::attestation::{self, Attested, DeviceList};
use crate::tls::{self, Pinned};
use crate::wire::{
    AuditAnswer, AuditHead, AuditPush, EnrollRequest, EnrollResponse, NumbersRequest, NumbersResponse, PullResponse,
    PushRequest, PushResponse, SetAside, SignedAuditEntry, UnitList, UsernameClaim, WireEvent,
};
use casebook::Casebook;
use casebook::sync::receive::{HeldEvent, Incoming, Received};
use ed25519_dalek::SigningKey;
use std::collections::HashMap;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Events per request, both ways.
const BATCH: usize = 2000;
/// Pushes sent before the first is answered: the hub checks the signatures of one while it
/// stores the one before.
const IN_FLIGHT: usize = 2;
/// Attachments looked up at a time.
const BLOB_BATCH: usize = 20;
/// Audit entries per request, each way (an entry is ~300 bytes).
pub const AUDIT_BATCH: usize = 500;

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
    #[error("the province has not approved this device yet")]
    NotApproved,
    /// The hub answered with more bytes than any honest answer has.
    #[error("the hub's answer is larger than any it should send")]
    AnswerTooLarge,
    /// The server at the hub's address shows another certificate than the one pinned (or
    /// typed at enrollment): nothing was sent to it.
    #[error("the hub's certificate is not the one this device trusts")]
    WrongCertificate,
    /// The hub names another province key than the one pinned at enrollment: it was replaced
    /// or the hub is not the one this device enrolled with. Nothing is sent or taken.
    #[error("the hub's province key is not the one this device enrolled with")]
    ProvinceKeyChanged,
    #[error("the hub address must start with https:// (plain http only for this machine)")]
    PlainHttp,
    #[error("the hub address must start with https://")]
    BadAddress,
    #[error("the case book: {0}")]
    Book(#[from] casebook::Error),
}

impl From<reqwest::Error> for SyncError {
    fn from(err: reqwest::Error) -> SyncError {
        if tls::not_pinned(&err) {
            return SyncError::WrongCertificate;
        }
        // The message names the host and the failure, never a request body.
        SyncError::Network(err.without_url().to_string())
    }
}

/// The case book as sync sees it; the app implements it over its locked book so the lock is
/// held only for one step, never while waiting on the network.
pub trait Replica {
    fn with_book<T>(&self, work: impl FnOnce(&mut Casebook) -> casebook::Result<T>) -> casebook::Result<T>;
    /// Called as a run moves events and attachments, with the totals so far.
    fn progress(&self, _so_far: &SyncReport) {}
}

impl Replica for std::sync::Mutex<Casebook> {
    fn with_book<T>(&self, work: impl FnOnce(&mut Casebook) -> casebook::Result<T>) -> casebook::Result<T> {
        work(&mut *self.lock().map_err(|_| poisoned())?)
    }
}

fn poisoned() -> casebook::Error {
    casebook::Error::Corrupt("the case book lock was poisoned".into())
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u64,
    pub received: Received,
    pub blobs_sent: u64,
    pub blobs_received: u64,
    /// Attachments named by received entries that the hub does not hold yet (the laptop that
    /// took them has not synced since): fetched by a later run.
    pub blobs_waiting: u64,
}

/// What a device proves itself with: the hub's token and the key that signs its events. Kept
/// in the OS keyring as one secret (`to_secret`), never in the case book.
#[derive(Clone)]
pub struct Credentials {
    pub token: String,
    key: SigningKey,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(..)")
    }
}

impl Credentials {
    /// `token:key` as text for the keyring.
    pub fn to_secret(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{}:{}", self.token, hex::encode(self.key.to_bytes())))
    }

    /// The device's public key, hex: its fingerprint (`attestation::key_fingerprint`) is
    /// what the province administrator compares before approving the device.
    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    pub fn from_secret(secret: &str) -> Option<Credentials> {
        let (token, key) = secret.split_once(':')?;
        let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(hex::decode(key).ok()?.try_into().ok()?);
        Some(Credentials {
            token: token.to_owned(),
            key: SigningKey::from_bytes(&bytes),
        })
    }
}

/// What enrollment gives a device.
#[derive(Debug)]
pub struct Enrolled {
    pub device_id: String,
    pub unit_code: String,
    pub credentials: Credentials,
    /// The fingerprint of the hub certificate seen (None over plain HTTP on loopback): every
    /// later connection accepts that certificate only.
    pub pin: Option<String>,
    /// The province's public key, hex: pinned in the book (`Casebook::pin_province_key`).
    pub province_key: String,
}

/// A device's connection to its hub.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    credentials: Option<Credentials>,
    verifier: Option<Arc<Pinned>>,
}

/// Plain HTTP is for a hub on this machine (tests, a trial); anything else is HTTPS.
/// None: not an http:// address.
fn loopback_http(base: &str) -> Option<bool> {
    let rest = base.strip_prefix("http://")?;
    if rest.starts_with("[::1]") {
        return Some(true);
    }
    let host = rest.split(['/', ':']).next().unwrap_or("");
    Some(host == "127.0.0.1" || host == "localhost")
}

impl Client {
    /// A client for the hub at `base` (https://…), trusting only the certificate `pin` (a whole
    /// fingerprint, or at least the first 16 hex digits a person typed at enrollment:
    /// `typed_fingerprint`); without a pin any certificate is accepted and recorded.
    pub fn new(base: &str, pin: Option<&str>, credentials: Option<Credentials>) -> Result<Client, SyncError> {
        let base = base.trim().trim_end_matches('/').to_owned();
        // reqwest wants a process-wide provider even for plain HTTP; an Err means one is set.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // A connection is not kept for reuse longer than the hub keeps it open (`oscc-hub serve
        // --idle-timeout`, 30 s by default): one the hub closed would fail the next request.
        let builder = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .pool_idle_timeout(std::time::Duration::from_secs(15));
        let (builder, verifier) = match loopback_http(&base) {
            Some(true) => (builder, None),
            Some(false) => return Err(SyncError::PlainHttp),
            None if base.starts_with("https://") => {
                let (config, verifier) = tls::config(pin).map_err(|e| SyncError::Network(e.to_string()))?;
                (builder.tls_backend_preconfigured(config), Some(verifier))
            }
            None => return Err(SyncError::BadAddress),
        };
        Ok(Client {
            http: builder.build().map_err(SyncError::from)?,
            base,
            credentials,
            verifier,
        })
    }

    /// Trades a one-time enrollment code for this device's identity (the id the hub gives it)
    /// and token; makes the device's signing key and pins the certificate the hub showed.
    pub async fn enroll(&self, code: &str, device_name: &str) -> Result<Enrolled, SyncError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut()).map_err(|e| SyncError::Network(e.to_string()))?;
        let key = SigningKey::from_bytes(&seed);
        let response = self
            .http
            .post(format!("{}/v1/enroll", self.base))
            .json(&EnrollRequest {
                code: code.trim().to_owned(),
                public_key: hex::encode(key.verifying_key().to_bytes()),
                device_name: device_name.to_owned(),
            })
            .send()
            .await?;
        let answer: EnrollResponse = json(checked(response)?, MAX_ANSWER).await?;
        Ok(Enrolled {
            device_id: answer.device_id,
            unit_code: answer.unit_code,
            credentials: Credentials {
                token: answer.token,
                key,
            },
            pin: self.verifier.as_ref().and_then(|v| v.seen()),
            province_key: answer.province_key,
        })
    }

    /// The unit codes the province has on the hub.
    async fn units(&self) -> Result<UnitList, SyncError> {
        let request = self.authorized(self.http.get(format!("{}/v1/units", self.base)));
        json(checked(request.send().await?)?, MAX_ANSWER).await
    }

    /// The unit's number blocks for what the request asks, new blocks allotted to this device
    /// among them (`casebook::records::numbers`), and which of its usernames are taken.
    async fn numbers(&self, request: &NumbersRequest) -> Result<NumbersResponse, SyncError> {
        let request = self
            .authorized(self.http.post(format!("{}/v1/numbers", self.base)))
            .json(request);
        json(checked(request.send().await?)?, MAX_ANSWER).await
    }

    async fn audit(&self, push: &AuditPush) -> Result<AuditAnswer, SyncError> {
        let request = self
            .authorized(self.http.post(format!("{}/v1/audit", self.base)))
            .json(push);
        json(checked(request.send().await?)?, MAX_ANSWER).await
    }

    /// The devices the province approved, as the hub lists them.
    async fn device_list(&self) -> Result<DeviceList, SyncError> {
        let request = self.authorized(self.http.get(format!("{}/v1/devices", self.base)));
        json(checked(request.send().await?)?, MAX_ANSWER).await
    }

    /// The push of one batch as a task of its own, so that the next batch is read and signed
    /// while the hub stores this one.
    fn push(&self, events: Vec<WireEvent>, acked_seq: i64) -> tokio::task::JoinHandle<Result<PushResponse, SyncError>> {
        let request = self
            .authorized(self.http.post(format!("{}/v1/push", self.base)))
            .json(&PushRequest { events, acked_seq });
        tokio::spawn(async move { json(checked(request.send().await?)?, MAX_ANSWER).await })
    }

    /// The fetch of one page as a task of its own, so that the next page comes, and is read
    /// into events, while this one is applied: the applying thread only writes.
    fn pull(&self, after: i64, checks: Arc<Checks>) -> tokio::task::JoinHandle<Result<Page, SyncError>> {
        let request = self.authorized(
            self.http
                .get(format!("{}/v1/pull?after={after}&limit={BATCH}", self.base)),
        );
        tokio::spawn(async move {
            let page: PullResponse = json(checked(request.send().await?)?, MAX_PAGE).await?;
            Ok(Page {
                incoming: checks.incoming(page.events.into_iter().map(|p| p.event).collect()),
                cursor: page.cursor,
            })
        })
    }

    async fn put_blob(&self, sha256: &str, mime: &str, bytes: Vec<u8>) -> Result<(), SyncError> {
        let response = self
            .authorized(self.http.put(format!("{}/v1/blobs/{sha256}", self.base)))
            .header(reqwest::header::CONTENT_TYPE, mime)
            .body(bytes)
            .send()
            .await?;
        checked(response).map(|_| ())
    }

    /// The attachment's type and bytes, or None while the hub does not hold it yet.
    async fn get_blob(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, SyncError> {
        let response = self
            .authorized(self.http.get(format!("{}/v1/blobs/{sha256}", self.base)))
            .send()
            .await?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = checked(response)?;
        let mime = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        Ok(Some((mime, capped(response, MAX_BLOB).await?)))
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.credentials {
            Some(credentials) => request.bearer_auth(&credentials.token),
            None => request,
        }
    }
}

/// What this laptop checks in every event it takes from elsewhere: signed by a device the
/// province approved (`devices`), then `WireEvent::into_incoming`.
struct Checks {
    known_schema: u32,
    catalog: casebook::store::Catalog,
    own_device: String,
    devices: HashMap<String, Attested>,
}

impl Checks {
    /// The checks of this run: the hub's list of devices, each kept only when the province key
    /// this book pinned signed its approval. The first run of a book enrolled before province
    /// keys existed pins the hub's key then.
    async fn of(replica: &impl Replica, client: &Client, known_schema: u32) -> Result<Checks, SyncError> {
        let list = client.device_list().await?;
        let pinned = replica.with_book(|b| b.pin_province_key(&list.province_key))?;
        if pinned != list.province_key {
            return Err(SyncError::ProvinceKeyChanged);
        }
        let province = attestation::public_key(&pinned).ok_or(SyncError::ProvinceKeyChanged)?;
        let (catalog, own_device) = replica.with_book(|b| Ok((b.catalog().clone(), b.device_id().to_owned())))?;
        Ok(Checks {
            known_schema,
            catalog,
            own_device,
            devices: attestation::attested(&list, &province),
        })
    }

    /// The unit of the device that signed `event`, when the province approved the device and
    /// did not revoke it before the event.
    fn vouched(&self, event: &casebook::log::events::Event) -> Option<&str> {
        self.devices
            .get(&event.device_id)
            .filter(|d| d.stands(event.device_seq))
            .map(|d| d.unit_code.as_str())
    }

    /// Each event for the case book, or set aside with its reason: by a device the province
    /// did not approve (`unknown_device`), with a signature that is not its device's
    /// (`bad_signature`), or failing `into_incoming`.
    fn incoming(&self, events: Vec<WireEvent>) -> Vec<Incoming> {
        let devices: Vec<Option<&Attested>> = events.iter().map(|e| self.devices.get(&e.device_id)).collect();
        let signed = attestation::verify_each(
            events
                .iter()
                .zip(&devices)
                .map(|(event, device)| device.map(|d| (event.signed_digest(), event.sig.as_str(), &d.key))),
        );
        events
            .into_iter()
            .zip(devices.iter().zip(signed))
            .map(|(event, (device, signed))| match (device, signed) {
                (None, _) => event.set_aside(SetAside::UnknownDevice),
                (Some(_), false) => event.set_aside(SetAside::BadSignature),
                (Some(device), true) if !device.stands(event.device_seq) => event.set_aside(SetAside::Revoked),
                (Some(device), true) => event.into_incoming(
                    self.known_schema,
                    &self.catalog,
                    &self.own_device,
                    Some(&device.unit_code),
                ),
            })
            .collect()
    }
}

/// A page of the hub's events for this unit, read into what the case book takes in.
struct Page {
    incoming: Vec<Incoming>,
    cursor: i64,
}

/// The most bytes an answer of the hub may have: a page of events (the hub sends at most 8 MiB
/// of them), an attachment (the app takes at most 20 MiB), anything else. A hub sending more
/// is not followed: it could fill the laptop's memory.
const MAX_PAGE: usize = 16 * 1024 * 1024;
const MAX_BLOB: usize = 24 * 1024 * 1024;
const MAX_ANSWER: usize = 8 * 1024 * 1024;

/// The answer's body, read up to `cap` bytes.
async fn capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, SyncError> {
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(SyncError::AnswerTooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Err(SyncError::AnswerTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The answer's JSON, read up to `cap` bytes.
async fn json<T: serde::de::DeserializeOwned>(response: reqwest::Response, cap: usize) -> Result<T, SyncError> {
    serde_json::from_slice(&capped(response, cap).await?)
        .map_err(|e| SyncError::Network(format!("the hub's answer cannot be read: {e}")))
}

/// The outcome of a request that ran as a task of its own.
fn joined<T>(task: Result<Result<T, SyncError>, tokio::task::JoinError>) -> Result<T, SyncError> {
    task.map_err(|e| SyncError::Network(e.to_string()))?
}

fn checked(response: reqwest::Response) -> Result<reqwest::Response, SyncError> {
    match response.status().as_u16() {
        200..=299 => Ok(response),
        401 => Err(SyncError::Unauthorized),
        423 => Err(SyncError::NotApproved),
        code => Err(SyncError::Refused(code)),
    }
}

/// One full sync: push until the hub holds every local event, then the attachments they
/// name; pull until the hub has nothing newer, then fetch the attachments received entries
/// name. Nothing counts as pushed until the hub says it committed it.
pub async fn sync_once(replica: &impl Replica, client: &Client, known_schema: u32) -> Result<SyncReport, SyncError> {
    let key = &client.credentials.as_ref().ok_or(SyncError::Unauthorized)?.key;
    let checks = Arc::new(Checks::of(replica, client, known_schema).await?);
    // A restored laptop asks for its old device to be revoked until the province has.
    replica.with_book(|b| match b.replaced_device()? {
        Some(old) if checks.devices.get(&old).is_some_and(|d| d.last_seq.is_some()) => b.forget_replaced_device(),
        _ => Ok(()),
    })?;
    let units = client.units().await?;
    replica.with_book(|b| b.set_hub_units(&units.units))?;
    // Numbers and usernames before the push: provisional numbers made final, and users
    // renamed whose name the unit has, go out with this push. The blocks come first: numbers
    // this laptop gave before the hub allotted any may be granted to it as they are.
    let request = replica.with_book(|b| {
        Ok(NumbersRequest {
            wants: b.number_wants()?,
            usernames: b
                .unsent_usernames()?
                .into_iter()
                .map(|(user_id, username)| UsernameClaim { user_id, username })
                .collect(),
        })
    })?;
    let answer = client.numbers(&request).await?;
    replica.with_book(|b| {
        let taken: Vec<(String, String)> = answer
            .taken_usernames
            .iter()
            .map(|t| (t.username.clone(), t.free.clone()))
            .collect();
        b.rename_taken_users(&taken)?;
        b.keep_number_blocks(&request.wants, &answer.blocks)?;
        b.provisional_before_hub()?;
        b.settle_provisional_numbers()
    })?;
    let mut report = SyncReport {
        received: retry(replica, &checks)?,
        ..SyncReport::default()
    };
    let sign = |batch: Vec<casebook::log::events::Event>| -> Vec<WireEvent> {
        batch.iter().map(|e| WireEvent::signed(e, key)).collect()
    };
    // Pushes in flight, oldest first, each with the last seq it carries and its size.
    let mut in_flight = std::collections::VecDeque::new();
    let mut acked_before = i64::MIN;
    // The hub's point the last time the log was sent again from it.
    let mut resent_from = None;
    // The point up to which this device has the hub's answers (refusals included).
    let mut answered = replica.with_book(|b| Ok(b.sync_position()?.pushed_seq))?;
    let mut next = sign(replica.with_book(|b| b.unpushed(BATCH))?);
    loop {
        // Keep IN_FLIGHT pushes going, and the next batch read and signed meanwhile.
        while in_flight.len() < IN_FLIGHT {
            let Some(last) = next.last().map(|e| e.device_seq) else {
                break;
            };
            let sent = next.len() as u64;
            in_flight.push_back((client.push(std::mem::take(&mut next), answered), last, sent));
            next = sign(replica.with_book(|b| b.unpushed_after(last, BATCH))?);
        }
        let Some((push, last, sent)) = in_flight.pop_front() else {
            break;
        };
        // The highest point acknowledged: a later push can be stored before an earlier one
        // and answer with a point below its own last event, the earlier answer then covering it.
        let answer = joined(push.await)?;
        let acked = acked_before.max(answer.acked_seq);
        replica.with_book(|b| {
            b.mark_refused(&refusals(&answer))?;
            b.mark_pushed(acked)
        })?;
        answered = answered.max(acked);
        report.pushed += sent;
        replica.progress(&report);
        if acked < last {
            // The hub holds this device's events only up to `acked`: an earlier push was lost,
            // or this one arrived first and the hub, which takes a device's events in order,
            // left it for later. Once the pushes in flight are answered, send again from the
            // hub's point, unless that point has not moved since the last time, which would
            // loop for ever.
            let mut point = acked;
            for (push, _, _) in in_flight.drain(..) {
                let answer = joined(push.await)?;
                point = point.max(answer.acked_seq);
                replica.with_book(|b| {
                    b.mark_refused(&refusals(&answer))?;
                    b.mark_pushed(point)
                })?;
            }
            if resent_from == Some(point) {
                return Err(SyncError::Stalled);
            }
            resent_from = Some(point);
            answered = answered.max(point);
            acked_before = point;
            next = sign(replica.with_book(|b| b.unpushed(BATCH))?);
            continue;
        }
        acked_before = acked;
    }
    loop {
        let unsent = replica.with_book(|b| b.unsent_blobs(BLOB_BATCH))?;
        if unsent.is_empty() {
            break;
        }
        for sha in unsent {
            if let Some((mime, bytes)) = replica.with_book(|b| b.blob(&sha))? {
                client.put_blob(&sha, &mime, bytes).await?;
            }
            replica.with_book(|b| b.mark_blob_sent(&sha))?;
            report.blobs_sent += 1;
            replica.progress(&report);
        }
    }
    let after = replica.with_book(|b| Ok(b.sync_position()?.pull_cursor))?;
    let mut coming = client.pull(after, checks.clone());
    loop {
        let page = joined(coming.await)?;
        if page.incoming.is_empty() {
            break;
        }
        coming = client.pull(page.cursor, checks.clone());
        let got = replica.with_book(|b| b.receive(page.incoming, page.cursor))?;
        report.received.applied += got.applied;
        report.received.duplicates += got.duplicates;
        report.received.quarantined += got.quarantined;
        replica.progress(&report);
    }
    replica.with_book(|b| b.count_sync_for_waiting())?;
    for sha in replica.with_book(|b| b.missing_blobs(usize::MAX))? {
        match client.get_blob(&sha).await? {
            // The type the sending laptop declared is its word only: the book takes the bytes'.
            Some((_, bytes)) => {
                // A file that is not clean stays missing (counted as waiting) and the sync goes on.
                if replica.with_book(|b| b.take_blob(&sha, &bytes))? {
                    report.blobs_received += 1;
                } else {
                    report.blobs_waiting += 1;
                }
                replica.progress(&report);
            }
            None => report.blobs_waiting += 1,
        }
    }
    send_audit(replica, client, key, &checks).await?;
    Ok(report)
}

/// The audit entries the hub has not had, with the chain's head signed, and the unit's other
/// laptops' entries back, a batch at a time until neither side has more.
async fn send_audit(
    replica: &impl Replica,
    client: &Client,
    key: &SigningKey,
    checks: &Checks,
) -> Result<(), SyncError> {
    let device_id = replica.with_book(|b| Ok(b.device_id().to_owned()))?;
    let unit_code = replica.with_book(|b| Ok(b.unit_code().to_owned()))?;
    loop {
        let out = replica.with_book(|b| b.audit_to_send(AUDIT_BATCH))?;
        let sent = out.entries.len();
        let push = AuditPush {
            head: AuditHead::signed(&device_id, out.count, &out.head_hash, key),
            entries: out
                .entries
                .into_iter()
                .map(|e| SignedAuditEntry::signed(&device_id, e, key))
                .collect(),
            after: out.after,
        };
        let answer = client.audit(&push).await?;
        let received = answer.unit.len();
        // Kept only when an approved device of this unit signed it: the hub cannot make up
        // another laptop's entry.
        let unit: Vec<(String, casebook::book::audit::ChainedEntry)> = answer
            .unit
            .into_iter()
            .filter(|u| {
                checks
                    .devices
                    .get(&u.device_id)
                    .is_some_and(|d| d.unit_code == unit_code && u.signed.verify(&u.device_id, &d.key))
            })
            .map(|u| (u.device_id, u.signed.entry))
            .collect();
        replica.with_book(|b| {
            b.audit_sent(answer.stored)?;
            b.take_unit_audit(&unit, answer.cursor)
        })?;
        // A chain the hub will not take (a problem it now keeps for the province) is not sent
        // again and again in this sync.
        let more_out = sent == AUDIT_BATCH && answer.problem.is_none();
        if !more_out && received < AUDIT_BATCH {
            return Ok(());
        }
    }
}

/// The events a push answer refused, as the case book notes them.
fn refusals(answer: &PushResponse) -> Vec<(String, i64, String, String)> {
    answer
        .refused
        .iter()
        .map(|r| {
            let reason = casebook::error::serde_name(&r.reason);
            (r.event_id.clone(), r.device_seq, reason, r.detail.clone())
        })
        .collect()
}

/// Indexes for search what a sync took in (`Casebook::catch_up_search`), a step at a time,
/// letting go of the book between steps so that a person's work goes on meanwhile. The book
/// finds those records before this too, by a slower scan.
pub fn catch_up_search(replica: &impl Replica) -> Result<(), SyncError> {
    while replica.with_book(|b| b.catch_up_search())? {}
    Ok(())
}

/// Takes in the set-aside events that pass this run's checks (after an upgrade, or once the
/// province has approved the device that signed them); the others stay.
fn retry(replica: &impl Replica, checks: &Checks) -> Result<Received, SyncError> {
    let mut pulled = Vec::new();
    let mut held = Vec::new();
    for (_, raw) in replica.with_book(|b| b.quarantined())? {
        // As it came from the hub, checked again whole; or set aside by the book after its
        // signature was checked, judged by the book again.
        match serde_json::from_str::<WireEvent>(&raw) {
            Ok(wire) => pulled.push(wire),
            // Judged again only while its device stands (approved, not revoked before it),
            // with the unit the province approved the device for now.
            Err(_) => held.extend(
                serde_json::from_str::<HeldEvent>(&raw)
                    .ok()
                    .and_then(|h| Some((checks.vouched(&h.event)?.to_owned(), h.event)))
                    .map(|(writer, event)| Incoming::Event {
                        event,
                        writer: Some(writer),
                    }),
            ),
        }
    }
    let readable: Vec<Incoming> = checks
        .incoming(pulled)
        .into_iter()
        .filter(|incoming| matches!(incoming, Incoming::Event { .. }))
        .chain(held)
        .collect();
    if readable.is_empty() {
        return Ok(Received::default());
    }
    let taken = replica.with_book(|b| {
        let cursor = b.sync_position()?.pull_cursor;
        b.receive(readable, cursor)
    })?;
    // What the book sets aside again was counted when it first came.
    Ok(Received {
        quarantined: 0,
        ..taken
    })
}
