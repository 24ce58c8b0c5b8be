//! `cargo xtask bench`: sync figures against the real hub process on loopback. A laptop with a
//! synthetic book (OSCC_SYNC_BENCH_CASES cases, default 10,000; 1.5 people and 10 timeline
//! entries each) syncs to the hub for the first time; a second laptop pulls all of it; then
//! 100 edits make the round trip from one laptop to the other. Prints seconds and bytes, and
//! the processor seconds the laptop and the hub spent (steadier than the clock on a shared
//! machine, for comparing two builds).

#[path = "../tests/common/mod.rs"]
mod common;

use common::{Hub, enrolled_laptop, temp};
use oscc_sync::{WireEvent, catch_up_search, sync_once};
use std::sync::Mutex;
use std::time::Instant;

// The laptop here allocates as the app does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Multi-threaded, as the app runs sync: a push is in flight while the next batch is signed.
#[tokio::main]
async fn main() {
    let cases: u64 = std::env::var("OSCC_SYNC_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let root = temp("bench");
    let hub = Hub::start(&root.join("hub.db").to_string_lossy(), &root);
    let schema = casebook::store::schema_version();
    let (mut a, a_worker, a_client) = enrolled_laptop(&root.join("a"), "CPN", "a", &hub, &hub.url).await;
    let started = Instant::now();
    casebook::synth::populate(&mut a, &a_worker, 2569, cases, 10, |_| {}).unwrap();
    let events = a.events().unwrap();
    // Any key signs the same number of bytes as the laptop's own.
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let bytes: usize = events
        .iter()
        .map(|e| serde_json::to_vec(&WireEvent::signed(e, &key)).map_or(0, |v| v.len()))
        .sum();
    println!(
        "synthetic laptop: {cases} cases, {} events, made in {:.1} s; {:.0} bytes per event on the wire (JSON, uncompressed)",
        events.len(),
        started.elapsed().as_secs_f64(),
        bytes as f64 / events.len() as f64
    );

    let checks = checks_per_event(&events, &key, a.catalog());
    let n = events.len() as f64;

    let hub_pid = hub.child.id().to_string();
    let a = Mutex::new(a);
    let run = Run::start(&hub_pid);
    sync_once(&a, &a_client, schema).await.unwrap();
    let (clock, _) = run.report("first sync, push of the whole book");
    println!(
        "  {:.0} events/s (the hub checks each: signature, label, shape, values, rights); goal at 100,000 cases: within 60 s",
        n / clock
    );

    // A new laptop's first pull; OSCC_SYNC_BENCH_PULLS laptops in turn, since one run on a
    // shared machine can be off by a second or more. The last one takes part in the round trip.
    let pulls: usize = std::env::var("OSCC_SYNC_BENCH_PULLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut laptops = Vec::new();
    for i in 0..pulls.max(1) {
        let (b, b_worker, b_client) = enrolled_laptop(&root.join(format!("b{i}")), "CPN", "b", &hub, &hub.url).await;
        let b = Mutex::new(b);
        let run = Run::start(&hub_pid);
        sync_once(&b, &b_client, schema).await.unwrap();
        let (clock, laptop) = run.report("first sync of a new laptop, pull of the whole book");
        println!(
            "  {:.0} events/s; checking them took the laptop about {:.1} s of processor ({:.0} % of its share; without them at most {:.0} events/s); goal at 100,000 cases: within 60 s",
            n / clock,
            n * checks,
            100.0 * n * checks / laptop,
            n / (clock - n * checks).max(f64::EPSILON)
        );
        // The app indexes what the pull took in right after it; searches find it meanwhile,
        // by a scan: timed here with text found nowhere, the slowest search.
        let search = |b: &Mutex<casebook::Casebook>| {
            let t = Instant::now();
            let hits = b.lock().unwrap().search_cases(&b_worker, "ไม่มีใครชื่อนี้", 20).unwrap();
            assert!(hits.is_empty());
            t.elapsed().as_secs_f64() * 1000.0
        };
        let before = search(&b);
        let run = Run::start(&hub_pid);
        catch_up_search(&b).unwrap();
        run.report("  then its search index caught up");
        println!(
            "  a search while it was catching up: {before:.0} ms; after: {:.1} ms",
            search(&b)
        );
        laptops.push((b, b_worker, b_client));
    }
    let Some((b, b_worker, b_client)) = laptops.pop() else {
        return;
    };
    drop(laptops);

    // 100 edits on A reach B.
    let agency = {
        let mut book = a.lock().unwrap();
        book.add_agency(
            &a_worker,
            &casebook::records::agency::Agency::new("หน่วยงาน 0", casebook::records::agency::AgencyType::Ngo),
        )
        .unwrap()
    };
    sync_once(&a, &a_client, schema).await.unwrap();
    sync_once(&b, &b_client, schema).await.unwrap();
    {
        let mut book = a.lock().unwrap();
        for i in 1..=100 {
            let mut record = book.agencies(&a_worker).unwrap()[0].record.clone();
            record.name = format!("หน่วยงาน {i}");
            book.update_agency(&a_worker, &agency, &record).unwrap();
        }
    }
    let t = Instant::now();
    sync_once(&a, &a_client, schema).await.unwrap();
    sync_once(&b, &b_client, schema).await.unwrap();
    let round_trip = t.elapsed().as_secs_f64();
    let name = b.lock().unwrap().agencies(&b_worker).unwrap()[0].record.name.clone();
    assert_eq!(name, "หน่วยงาน 100");
    println!("100 edits, laptop A to hub to laptop B: {:.2} s", round_trip);
    drop(hub);
    let _ = std::fs::remove_dir_all(&root);
}

/// What a laptop's checks of pulled events cost, apart from the rest of a pull: the signature
/// (Ed25519, checked in pages of 2,000 as the sync does) and the label, shape and values
/// (`WireEvent::into_incoming`), over the book's first 100,000 events; seconds per event.
/// (The book's own rights checks run inside `receive`, in the pull's figure.)
fn checks_per_event(
    events: &[casebook::log::events::Event],
    key: &ed25519_dalek::SigningKey,
    catalog: &casebook::store::Catalog,
) -> f64 {
    let sample: Vec<WireEvent> = events.iter().take(100_000).map(|e| WireEvent::signed(e, key)).collect();
    let public = key.verifying_key();
    let t = Instant::now();
    for page in sample.chunks(2000) {
        let good = oscc_sync::attestation::verify_each(
            page.iter().map(|e| Some((e.signed_digest(), e.sig.as_str(), &public))),
        );
        assert!(good.iter().all(|g| *g));
    }
    let signatures = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let schema = casebook::store::schema_version();
    for wire in sample.iter().cloned() {
        let incoming = wire.into_incoming(schema, catalog, "another-device", Some("CPN"));
        assert!(matches!(incoming, casebook::sync::receive::Incoming::Event { .. }));
    }
    let rest = t.elapsed().as_secs_f64();
    let n = sample.len() as f64;
    println!(
        "laptop checks of a pulled event ({n} events): signature {:.0} events/s ({:.1} µs each), label, shape and values {:.0} events/s ({:.1} µs each)",
        n / signatures,
        signatures / n * 1e6,
        n / rest,
        rest / n * 1e6
    );
    (signatures + rest) / n
}

/// One timed step: the clock, and the processor seconds (user and system) the bench's own
/// process (the laptops) and the hub process use meanwhile, from /proc (zero without it).
struct Run<'a> {
    hub_pid: &'a str,
    started: Instant,
    laptop: f64,
    hub: f64,
}

impl Run<'_> {
    fn start(hub_pid: &str) -> Run<'_> {
        Run {
            hub_pid,
            started: Instant::now(),
            laptop: cpu_seconds("self"),
            hub: cpu_seconds(hub_pid),
        }
    }

    /// Prints the step's figures; gives its clock and laptop processor seconds.
    fn report(&self, what: &str) -> (f64, f64) {
        let (clock, laptop) = (self.started.elapsed().as_secs_f64(), cpu_seconds("self") - self.laptop);
        println!(
            "{what}: {clock:.1} s (processor: laptop {laptop:.1} s, hub {:.1} s)",
            cpu_seconds(self.hub_pid) - self.hub
        );
        (clock, laptop)
    }
}

fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime and stime are the 12th
    // and 13th, in ticks of 1/100 s.
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
