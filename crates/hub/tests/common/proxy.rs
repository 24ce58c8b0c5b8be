//! A proxy of the tests' own in front of the hub, for syncing through faults.

use casebook::synth::Rng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A proxy in front of the hub that reads whole HTTP/1.1 messages (headers and a
/// Content-Length body). Each request is, by a seeded draw: passed through; cut before it
/// reaches the hub; passed to the hub with the hub's answer thrown away; sent twice; or sent
/// after an earlier request replayed out of its turn.
pub struct Proxy {
    /// Where the hub listens now (it moves when the hub is started again).
    pub upstream: Arc<Mutex<String>>,
    /// Requests faulted so far.
    pub faults: Arc<AtomicU64>,
    pub addr: String,
}

/// Sends `request` to the hub and reads its answer.
async fn exchange(outbound: &mut TcpStream, request: &[u8]) -> Option<Vec<u8>> {
    outbound.write_all(request).await.ok()?;
    read_message(outbound).await
}

/// One HTTP message from `stream`, or None when it closes.
async fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + length {
                let n = stream.read(&mut buf).await.ok().filter(|&n| n > 0)?;
                data.extend_from_slice(&buf[..n]);
            }
            return Some(data);
        }
        let n = stream.read(&mut buf).await.ok().filter(|&n| n > 0)?;
        data.extend_from_slice(&buf[..n]);
    }
}

/// A proxy to the hub at `upstream`, faulting requests by a draw from `seed`.
pub async fn proxy(upstream: String, seed: u64) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let upstream = Arc::new(Mutex::new(upstream));
    let faults = Arc::new(AtomicU64::new(0));
    let rng = Arc::new(Mutex::new(Rng::new(seed)));
    let earlier: Arc<Mutex<Option<Vec<u8>>>> = Arc::new(Mutex::new(None));
    let (up, count) = (upstream.clone(), faults.clone());
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let target = up.lock().unwrap().clone();
            let (count, rng, earlier) = (count.clone(), rng.clone(), earlier.clone());
            tokio::spawn(async move {
                let Ok(mut outbound) = TcpStream::connect(&target).await else {
                    return;
                };
                while let Some(request) = read_message(&mut inbound).await {
                    let draw = rng.lock().unwrap().below(8);
                    if draw < 4 {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    if draw == 0 {
                        return; // cut before the hub sees it
                    }
                    if draw == 3 {
                        // An earlier request arrives late, before this one.
                        let stale = earlier.lock().unwrap().clone();
                        if let Some(stale) = stale
                            && exchange(&mut outbound, &stale).await.is_none()
                        {
                            return;
                        }
                    }
                    *earlier.lock().unwrap() = Some(request.clone());
                    let Some(mut response) = exchange(&mut outbound, &request).await else {
                        return;
                    };
                    if draw == 1 {
                        return; // the hub acted; its answer is lost
                    }
                    if draw == 2 {
                        // The request arrives twice; the client sees the second answer.
                        let Some(again) = exchange(&mut outbound, &request).await else {
                            return;
                        };
                        response = again;
                    }
                    if inbound.write_all(&response).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Proxy { upstream, faults, addr }
}
