//! The hub's HTTP API (JSON): enroll with a one-time code, push a batch, pull by cursor.
//! Anything but enrollment needs a device token; unknown or revoked devices get 401 and nothing
//! else. Storage calls run on blocking threads (SQLite and PostgreSQL clients block). Every
//! request has a time limit and a line in the access log.

use crate::in_flight::{InFlight, Slot};
use crate::store::{Device, Store, StoreError};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use oscc_sync::attestation::DeviceList;
use oscc_sync::{
    AuditAnswer, AuditPush, EnrollRequest, EnrollResponse, NumbersRequest, NumbersResponse, PullResponse, PulledEvent,
    PushRequest, PushResponse, UnitList,
};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

pub type Shared = Arc<dyn Store>;

const MAX_PULL: i64 = 2000;

/// A push batch (500 events) or one attachment (the app refuses files over 20 MiB).
const MAX_BODY: usize = 24 * 1024 * 1024;

/// The API on `store`; a request may take at most `timeout`, reading its body included (a
/// connection that trickles bytes, or a storage call that hangs, frees its worker then: 408).
pub fn router(store: Shared, timeout: std::time::Duration) -> Router {
    Router::new()
        .route("/v1/enroll", post(enroll))
        .route("/v1/push", post(push))
        .route("/v1/pull", get(pull))
        .route("/v1/devices", get(devices))
        .route("/v1/units", get(units))
        .route("/v1/numbers", post(numbers))
        .route("/v1/audit", post(audit))
        .route("/v1/blobs/{sha256}", put(put_blob).get(get_blob))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::Extension(Arc::new(InFlight::default())))
        .layer(axum::middleware::from_fn(move |request, next| {
            log_and_limit(timeout, request, next)
        }))
        .with_state(store)
}

/// Which device a request came from, filled in by `Authorized` for the access log.
#[derive(Clone, Default)]
struct Caller(Arc<std::sync::Mutex<Option<String>>>);

/// Every request within `timeout` (else 408), and one line of access log for it on
/// standard output: device, method, route, status, bytes sent, milliseconds. Never a body or
/// a query string, so never personal data or a token.
async fn log_and_limit(
    timeout: std::time::Duration,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let caller = Caller::default();
    request.extensions_mut().insert(caller.clone());
    let method = request.method().clone();
    let route = request.uri().path().to_owned();
    let response = match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    };
    let bytes = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let device = caller
        .0
        .lock()
        .ok()
        .and_then(|d| d.clone())
        .unwrap_or_else(|| "-".into());
    // Nobody may be reading (a test that stopped after the address): a lost line stops nothing.
    let _ = writeln!(
        std::io::stdout(),
        "access {device} {method} {route} {} {bytes} {}ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

fn failed(err: StoreError) -> StatusCode {
    match err {
        StoreError::BadCode => StatusCode::UNAUTHORIZED,
        StoreError::BadSignature(_) => StatusCode::FORBIDDEN,
        StoreError::Diverged(_) | StoreError::NewerSchema(_) => StatusCode::CONFLICT,
        StoreError::TooMany(_) => StatusCode::PAYLOAD_TOO_LARGE,
        StoreError::TooManyTries => StatusCode::TOO_MANY_REQUESTS,
        StoreError::BadKey | StoreError::BadBlob => StatusCode::BAD_REQUEST,
        StoreError::NoProvinceKey => StatusCode::SERVICE_UNAVAILABLE,
        StoreError::Db(message) => {
            // Storage messages name tables and keys, never event contents.
            eprintln!("oscc-hub: storage error: {message}");
            StatusCode::SERVICE_UNAVAILABLE
        }
        StoreError::AtRest(err) => {
            // Names the row's kind, never its content.
            eprintln!("oscc-hub: {err}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Runs a storage call off the async workers.
async fn blocking<T: Send + 'static>(
    store: &Shared,
    work: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StatusCode> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || work(store.as_ref()))
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .map_err(failed)
}

/// The enrolled, active device whose token the request carries, approved by the province (423
/// Locked until then). An extractor of the request's head: it runs before the body is read, so
/// a request without a valid token gets 401 without the hub reading (or holding in memory) a
/// byte of its body. Its slot counts the request among the device's in flight (429 past
/// the limit).
struct Authorized {
    device: Device,
    /// Held while the request is answered, and moved into the blocking work a request starts:
    /// a request given up on (timed out, or the device hung up) counts until that work ends.
    slot: Slot,
}

impl FromRequestParts<Shared> for Authorized {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, store: &Shared) -> Result<Authorized, StatusCode> {
        let token = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(StatusCode::UNAUTHORIZED)?
            .to_owned();
        let device = blocking(store, move |s| s.device_by_token(&token))
            .await?
            .ok_or(StatusCode::UNAUTHORIZED)?;
        if let Some(caller) = parts.extensions.get::<Caller>()
            && let Ok(mut slot) = caller.0.lock()
        {
            *slot = Some(device.id.clone());
        }
        if !device.approved {
            return Err(StatusCode::LOCKED);
        }
        let slot = parts
            .extensions
            .get::<Arc<InFlight>>()
            .and_then(|flight| flight.take(&device.id))
            .ok_or(StatusCode::TOO_MANY_REQUESTS)?;
        Ok(Authorized { device, slot })
    }
}

/// The network a request came from, as wrong enrollment codes are counted: an IPv4 address,
/// or an IPv6 /64 (one household or office gets a whole /64).
fn network(peer: SocketAddr) -> String {
    match peer.ip().to_canonical() {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => {
            let s = ip.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

async fn enroll(
    State(store): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(request): Json<EnrollRequest>,
) -> Result<Json<EnrollResponse>, StatusCode> {
    let ((device, token), province_key) = blocking(&store, move |s| {
        let province_key = s.province_key()?.ok_or(StoreError::NoProvinceKey)?;
        let enrolled = s.enroll(&request.code, &request.device_name, &request.public_key, &network(peer))?;
        Ok((enrolled, province_key))
    })
    .await?;
    Ok(Json(EnrollResponse {
        device_id: device.id,
        unit_code: device.unit_code,
        token,
        province_key,
    }))
}

async fn push(
    State(store): State<Shared>,
    Authorized { device, slot }: Authorized,
    Json(request): Json<PushRequest>,
) -> Result<Json<PushResponse>, StatusCode> {
    // Each event is judged on its own (`store::admission`): one the hub refuses is answered
    // with its reason while the others are stored.
    Ok(Json(
        blocking(&store, move |s| {
            let _in_flight = slot;
            s.push(&device, &request)
        })
        .await?,
    ))
}

/// The devices the province approved, with its signatures: laptops check every event they
/// pull by these, not by the hub's word.
async fn devices(State(store): State<Shared>, Authorized { .. }: Authorized) -> Result<Json<DeviceList>, StatusCode> {
    Ok(Json(blocking(&store, |s| s.device_list()).await?))
}

/// The unit codes the province has: a laptop checks a transfer's receiving unit against them.
async fn units(State(store): State<Shared>, Authorized { .. }: Authorized) -> Result<Json<UnitList>, StatusCode> {
    Ok(Json(UnitList {
        units: blocking(&store, |s| s.unit_codes()).await?,
    }))
}

/// Allots the device the case and letter numbers it asks for, and says which of its new
/// usernames the unit has (`store::numbers`).
async fn numbers(
    State(store): State<Shared>,
    Authorized { device, slot }: Authorized,
    Json(request): Json<NumbersRequest>,
) -> Result<Json<NumbersResponse>, StatusCode> {
    Ok(Json(
        blocking(&store, move |s| {
            let _in_flight = slot;
            s.numbers(&device, &request)
        })
        .await?,
    ))
}

/// Takes the device's audit entries that follow its chain and answers the unit's others
/// (`store::audit`).
async fn audit(
    State(store): State<Shared>,
    Authorized { device, slot }: Authorized,
    Json(push): Json<AuditPush>,
) -> Result<Json<AuditAnswer>, StatusCode> {
    Ok(Json(
        blocking(&store, move |s| {
            let _in_flight = slot;
            s.audit(&device, &push)
        })
        .await?,
    ))
}

#[derive(serde::Deserialize)]
struct PullQuery {
    after: i64,
    limit: Option<i64>,
}

async fn pull(
    State(store): State<Shared>,
    Authorized { device, slot }: Authorized,
    Query(query): Query<PullQuery>,
) -> Result<Json<PullResponse>, StatusCode> {
    let limit = query.limit.unwrap_or(MAX_PULL).clamp(1, MAX_PULL);
    let after = query.after;
    let rows = blocking(&store, move |s| {
        let _in_flight = slot;
        s.pull(&device, after, limit)
    })
    .await?;
    let cursor = rows.last().map_or(after, |(seq, _)| *seq);
    Ok(Json(PullResponse {
        events: rows
            .into_iter()
            .map(|(hub_seq, event)| PulledEvent { hub_seq, event })
            .collect(),
        cursor,
    }))
}

/// An attachment, under its SHA-256. Any enrolled device may send one; the hub checks the hash.
async fn put_blob(
    State(store): State<Shared>,
    Path(sha256): Path<String>,
    Authorized { device, slot }: Authorized,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, StatusCode> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    blocking(&store, move |s| {
        let _in_flight = slot;
        s.put_blob(&device, &sha256, &mime, &body)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An attachment by its SHA-256: the hash is only known to a unit that received an entry
/// naming it.
async fn get_blob(
    State(store): State<Shared>,
    Path(sha256): Path<String>,
    Authorized { slot, .. }: Authorized,
) -> Result<impl IntoResponse, StatusCode> {
    let (mime, bytes) = blocking(&store, move |s| {
        let _in_flight = slot;
        s.get_blob(&sha256)
    })
    .await?
    .ok_or(StatusCode::NOT_FOUND)?;
    Ok(([(header::CONTENT_TYPE, mime)], bytes))
}
