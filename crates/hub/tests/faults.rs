//! Sync under faults, with the real hub process over real HTTP: three laptops edit the same
//! records offline, then sync through a proxy of the test's own that drops connections before
//! a request reaches the hub or after the hub has answered (the answer lost); the hub is killed
//! with SIGKILL in the middle of syncs and started again on the same database. After every
//! round all replicas hold the same state and the same log, and the hub holds every event once.

mod common;

use casebook::partners::{Agency, AgencyType};
use casebook::synth::Rng;
use casebook::{Casebook, Session};
use common::{Hub, enrolled_laptop, temp};
use oscc_sync::{Client, sync_once};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ROUNDS: u64 = 200;
const AGENCIES: usize = 4;

/// A proxy in front of the hub that reads whole HTTP/1.1 messages (headers and a
/// Content-Length body). Each request is, by a seeded draw: passed through; cut before it
/// reaches the hub; or passed to the hub with the hub's answer thrown away.
struct Proxy {
    upstream: Arc<Mutex<String>>,
    faults: Arc<AtomicU64>,
    addr: String,
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

async fn proxy(upstream: String, seed: u64) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let upstream = Arc::new(Mutex::new(upstream));
    let faults = Arc::new(AtomicU64::new(0));
    let rng = Arc::new(Mutex::new(Rng::new(seed)));
    let (up, count) = (upstream.clone(), faults.clone());
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let target = up.lock().unwrap().clone();
            let (count, rng) = (count.clone(), rng.clone());
            tokio::spawn(async move {
                let Ok(mut outbound) = TcpStream::connect(&target).await else {
                    return;
                };
                while let Some(request) = read_message(&mut inbound).await {
                    let draw = rng.lock().unwrap().below(8);
                    if draw == 0 {
                        count.fetch_add(1, Ordering::Relaxed);
                        return; // cut before the hub sees it
                    }
                    if outbound.write_all(&request).await.is_err() {
                        return;
                    }
                    let Some(response) = read_message(&mut outbound).await else {
                        return;
                    };
                    if draw == 1 {
                        count.fetch_add(1, Ordering::Relaxed);
                        return; // the hub acted; its answer is lost
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

struct Laptop {
    book: Mutex<Casebook>,
    worker: Session,
    client: Client,
}

/// Syncs until one run goes through whole (faults make runs fail part-way).
async fn sync_until_done(laptop: &Laptop) -> u32 {
    for attempt in 1..=200 {
        if sync_once(&laptop.book, &laptop.client, casebook::store::schema_version())
            .await
            .is_ok()
        {
            return attempt;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("sync never went through");
}

#[tokio::test(flavor = "current_thread")]
async fn three_laptops_converge_through_dropped_connections_and_hub_crashes() {
    let root = temp("faults");
    let database = root.join("hub.db");
    let mut hub = Hub::start(&database);
    let proxy = proxy(hub.addr.clone(), 11).await;
    let proxy_url = format!("http://{}", proxy.addr);
    let mut laptops = Vec::new();
    for name in ["a", "b", "c"] {
        let (book, worker, token) = enrolled_laptop(&root.join(name), name, &hub).await;
        laptops.push(Laptop {
            book: Mutex::new(book),
            worker,
            client: Client::new(&proxy_url, Some(token)),
        });
    }
    // Laptop A makes the shared records; everyone syncs.
    let agencies: Vec<String> = (0..AGENCIES)
        .map(|i| {
            let a = &laptops[0];
            a.book
                .lock()
                .unwrap()
                .add_agency(&a.worker, &Agency::new(&format!("หน่วยงาน {i}"), AgencyType::Ngo))
                .unwrap()
        })
        .collect();
    for _ in 0..2 {
        for l in &laptops {
            sync_until_done(l).await;
        }
    }

    let mut rng = Rng::new(2026);
    let mut crashes = 0;
    let mut attempts = 0;
    for round in 0..ROUNDS {
        for (n, l) in laptops.iter().enumerate() {
            if rng.below(2) == 0 {
                let id = &agencies[rng.below(AGENCIES as u64) as usize];
                let mut book = l.book.lock().unwrap();
                let mut record = book
                    .agencies(&l.worker)
                    .unwrap()
                    .into_iter()
                    .find(|a| &a.id == id)
                    .unwrap()
                    .record;
                if rng.below(2) == 0 {
                    record.name = format!("ชื่อ {round}-{n}");
                } else {
                    record.mission = Some(format!("พันธกิจ {round}-{n}"));
                }
                book.update_agency(&l.worker, id, &record).unwrap();
            }
        }
        // Now and then the hub dies (SIGKILL) while a laptop is syncing, and comes back.
        let crash_now = rng.below(10) == 0;
        let order: Vec<usize> = {
            let mut o = vec![0, 1, 2];
            for i in (1..3).rev() {
                o.swap(i, rng.below(i as u64 + 1) as usize);
            }
            o
        };
        for (k, &i) in order.iter().enumerate() {
            if crash_now && k == 1 {
                let sync = sync_once(&laptops[i].book, &laptops[i].client, casebook::store::schema_version());
                let kill = async {
                    tokio::time::sleep(std::time::Duration::from_millis(rng.below(4))).await;
                    let _ = hub.child.kill();
                    let _ = hub.child.wait();
                };
                let _ = tokio::join!(sync, kill);
                hub = Hub::start(&database);
                *proxy.upstream.lock().unwrap() = hub.addr.clone();
                crashes += 1;
            }
            attempts += sync_until_done(&laptops[i]).await;
        }
        // A second pass brings everyone what the others pushed after them.
        for l in &laptops {
            attempts += sync_until_done(l).await;
        }
        let hashes: Vec<String> = laptops
            .iter()
            .map(|l| l.book.lock().unwrap().state_hash().unwrap())
            .collect();
        assert!(
            hashes.windows(2).all(|w| w[0] == w[1]),
            "round {round}: replicas differ"
        );
        let counts: Vec<usize> = laptops
            .iter()
            .map(|l| l.book.lock().unwrap().events().unwrap().len())
            .collect();
        assert!(
            counts.windows(2).all(|w| w[0] == w[1]),
            "round {round}: logs differ {counts:?}"
        );
    }
    // The hub holds each device's events once, with no gap: nothing lost, nothing doubled.
    for l in &laptops {
        let position = l.book.lock().unwrap().sync_position().unwrap();
        assert_eq!(position.pending, 0);
    }
    let conn = rusqlite::Connection::open(&database).unwrap();
    let (hub_events, distinct): (i64, i64) = conn
        .query_row("SELECT count(*), count(DISTINCT event_id) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let local = laptops[0].book.lock().unwrap().events().unwrap().len() as i64;
    assert_eq!((hub_events, distinct), (local, local));
    let faults = proxy.faults.load(Ordering::Relaxed);
    println!("{ROUNDS} rounds: {faults} connections faulted, {crashes} hub crashes, {attempts} sync attempts");
    assert!(faults > 50 && crashes > 5, "too few faults to prove anything");
    drop(hub);
    let _ = std::fs::remove_dir_all(&root);
}
