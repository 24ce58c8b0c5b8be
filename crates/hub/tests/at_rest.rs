//! The hub at rest (SQLite and PostgreSQL): after a laptop pushes a case, the hub's database
//! holds nothing of it in clear (the SQLite file and its WAL are encrypted whole and do not
//! open without the key; on PostgreSQL the event bodies and attachment bytes are sealed); the
//! hub refuses to start, and leaves the database as it was, when the key file is missing or
//! holds another key; a database an earlier hub wrote in clear is refused until
//! `oscc-hub encrypt-database` has encrypted it.

mod common;

use casebook::records::evidence::fixtures::jpeg_with_exif;
use casebook::records::timeline::EntryKind;
use casebook::synth::{Rng, person, walk_in_case};
use common::{Hub, databases, enrolled_laptop, temp};
use oscc_hub::at_rest::{FILE, Key, Kind};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;

fn is_postgres(database: &str) -> bool {
    database.starts_with("postgres")
}

/// Runs `f` on a thread of its own: the synchronous PostgreSQL client runs a runtime of its own.
fn apart<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| scope.spawn(f).join().expect("the database read failed"))
}

fn pg(database: &str) -> postgres::Client {
    postgres::Client::connect(database, postgres::NoTls).unwrap()
}

/// Whether `needle` occurs in `haystack`.
fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What a laptop pushed: the clear values the hub must not keep in clear.
struct Pushed {
    name: String,
    id_number: String,
    phone: String,
    note: String,
    /// The attachment's bytes as they travelled (cleaned on the laptop).
    photo: Vec<u8>,
}

/// A laptop of CPN records a synthetic client with a case and a home visit with a photo, and
/// pushes them to `hub`.
async fn push_a_case(root: &Path, hub: &Hub) -> Pushed {
    let (book, worker, client) = enrolled_laptop(&root.join("a"), "CPN", "a", hub, &hub.url).await;
    let input = person(&mut Rng::new(23), 9);
    let (name, id_number, phone) = (
        input.name_th.clone().unwrap(),
        input.id_number.clone().unwrap_or_default(),
        input.phone.clone().unwrap(),
    );
    let note = "เยี่ยมบ้านสมมุติ พบผู้รับบริการที่บ้านพักชั่วคราว".to_owned();
    let photo = {
        let mut book = book;
        let (client_id, _) = book.create_person(&worker, &input).unwrap();
        let case = book.create_case(&worker, &walk_in_case(&client_id)).unwrap();
        let entry = book
            .add_timeline_entry_with_files(
                &worker,
                &case.id,
                EntryKind::HomeVisit,
                &note,
                &casebook::dates::now_iso(),
                &[jpeg_with_exif(64, 48, 1, true)],
            )
            .unwrap();
        let sha = book.entry_attachments(&worker, &entry).unwrap()[0].sha256.clone();
        let photo = book.attachment(&worker, &sha).unwrap().1;
        let book = Mutex::new(book);
        let pushed = oscc_sync::sync_once(&book, &client, casebook::store::schema_version())
            .await
            .unwrap();
        assert!(pushed.pushed > 0);
        assert_eq!(pushed.blobs_sent, 1);
        photo
    };
    Pushed {
        name,
        id_number,
        phone,
        note,
        photo,
    }
}

impl Pushed {
    /// The byte strings no stored byte may hold: the texts, and stretches of the photo.
    fn needles(&self) -> Vec<Vec<u8>> {
        let mut needles: Vec<Vec<u8>> = [&self.name, &self.phone, &self.note]
            .iter()
            .map(|t| t.as_bytes().to_vec())
            .collect();
        if !self.id_number.is_empty() {
            needles.push(self.id_number.as_bytes().to_vec());
        }
        // Two stretches of the photo's compressed data, past its headers.
        let middle = self.photo.len() / 2;
        needles.push(self.photo[middle..middle + 24].to_vec());
        needles.push(self.photo[self.photo.len() - 40..self.photo.len() - 16].to_vec());
        needles
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_hub_database_holds_nothing_of_a_case_in_clear() {
    let root = temp("at-rest");
    for database in databases(&root, "at-rest") {
        let dir = root.join(if is_postgres(&database) { "pg" } else { "sqlite" });
        std::fs::create_dir_all(&dir).unwrap();
        let hub = Hub::start(&database, &dir);
        let pushed = push_a_case(&dir, &hub).await;
        let needles = pushed.needles();
        // What the hub holds in its own reading: the case did arrive (else the test proves nothing).
        let clear = common::clear_bodies(&hub.database, &hub.tls_dir);
        assert!(
            clear.iter().any(|b| holds(b, pushed.name.as_bytes())),
            "the case never reached the hub"
        );
        if is_postgres(&database) {
            let stored = apart(|| {
                let mut db = pg(&database);
                let mut stored: Vec<Vec<u8>> = db
                    .query("SELECT body FROM events", &[])
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                stored.extend(
                    db.query("SELECT data FROM blobs", &[])
                        .unwrap()
                        .iter()
                        .map(|r| r.get(0)),
                );
                stored
            });
            assert!(stored.len() > 2);
            for value in &stored {
                for needle in &needles {
                    assert!(!holds(value, needle), "a stored value holds a pushed value in clear");
                }
            }
        } else {
            // Whatever SQLite has written: the file and its WAL (the hub is still running).
            let mut files = vec![std::fs::read(&database).unwrap()];
            if let Ok(wal) = std::fs::read(format!("{database}-wal")) {
                files.push(wal);
            }
            for file in &files {
                for needle in &needles {
                    assert!(!holds(file, needle), "the hub's files hold a pushed value in clear");
                }
            }
            // Without the key the file is not a database.
            let plain = rusqlite::Connection::open(&database).unwrap();
            let read = plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
            assert_eq!(
                read.unwrap_err().sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// `oscc-hub serve` on `database`, which must refuse to start: what it said.
fn refused_to_serve(database: &str, tls_dir: &Path) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oscc-hub"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database, "--tls-dir"])
        .arg(tls_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            assert!(!out.status.success());
            return String::from_utf8_lossy(&out.stderr).into_owned();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the hub started");
}

/// What the database holds, to tell it was left as it was: the SQLite file's bytes, or the
/// PostgreSQL tables' stored bodies, attachments and key check.
fn snapshot(database: &str) -> Vec<Vec<u8>> {
    if !is_postgres(database) {
        return vec![std::fs::read(database).unwrap()];
    }
    apart(|| {
        let mut db = pg(database);
        [
            "SELECT body FROM events ORDER BY hub_seq",
            "SELECT data FROM blobs ORDER BY sha256",
            "SELECT key_check FROM at_rest",
        ]
        .iter()
        .flat_map(|sql| {
            db.query(*sql, &[])
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect::<Vec<Vec<u8>>>()
        })
        .collect()
    })
}

#[tokio::test(flavor = "current_thread")]
async fn the_hub_refuses_to_start_without_its_key_and_leaves_the_database_as_it_was() {
    let root = temp("at-rest-key");
    for database in databases(&root, "at-rest-key") {
        let dir = root.join(if is_postgres(&database) { "pg" } else { "sqlite" });
        std::fs::create_dir_all(&dir).unwrap();
        let hub = Hub::start(&database, &dir);
        push_a_case(&dir, &hub).await;
        let held = hub.events_held();
        drop(hub);
        let before = snapshot(&database);

        // The key file gone (say a server rebuilt from the database's backup alone).
        let key_file = dir.join(FILE);
        let kept = dir.join("kept-key");
        std::fs::rename(&key_file, &kept).unwrap();
        let said = refused_to_serve(&database, &dir);
        assert!(said.contains(&format!("{} is missing", key_file.display())), "{said}");
        assert!(!key_file.exists(), "a new key was made for a database that exists");
        assert_eq!(snapshot(&database), before, "the database was changed");

        // Another key.
        std::fs::write(&key_file, "11".repeat(32)).unwrap();
        let said = refused_to_serve(&database, &dir);
        assert!(said.contains("does not open this database"), "{said}");
        assert_eq!(snapshot(&database), before, "the database was changed");

        // Its own key back: the hub starts with everything it held.
        std::fs::rename(&kept, &key_file).unwrap();
        let hub = Hub::start(&database, &dir);
        assert_eq!(hub.events_held(), held);
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// Turns the hub's database back into what an earlier hub kept, in clear, and takes its key
/// file away (an earlier hub had none).
fn as_an_earlier_hub_kept_it(database: &str, tls_dir: &Path) {
    let key = Key::read(tls_dir).unwrap();
    if is_postgres(database) {
        let values = key.values();
        apart(|| {
            let mut db = pg(database);
            let mut tx = db.transaction().unwrap();
            for row in tx.query("SELECT event_id, body FROM events", &[]).unwrap() {
                let event_id: &str = row.get(0);
                let clear = values.open(Kind::EventBody, event_id, row.get(1)).unwrap();
                tx.execute("UPDATE events SET body = $1 WHERE event_id = $2", &[&clear, &event_id])
                    .unwrap();
            }
            for row in tx.query("SELECT sha256, data FROM blobs", &[]).unwrap() {
                let sha256: &str = row.get(0);
                let clear = values.open(Kind::Blob, sha256, row.get(1)).unwrap();
                tx.execute("UPDATE blobs SET data = $1 WHERE sha256 = $2", &[&clear, &sha256])
                    .unwrap();
            }
            tx.batch_execute(
                "ALTER TABLE events ALTER COLUMN body TYPE TEXT USING convert_from(body, 'UTF8');
                 DROP TABLE at_rest;",
            )
            .unwrap();
            tx.commit().unwrap();
        });
    } else {
        let clear = format!("{database}.clear");
        let db = common::sqlite(database, tls_dir);
        db.execute("ATTACH DATABASE ?1 AS clear KEY ''", [&clear]).unwrap();
        db.query_row("SELECT sqlcipher_export('clear')", [], |_| Ok(()))
            .unwrap();
        db.execute_batch("DETACH DATABASE clear").unwrap();
        drop(db);
        for wal in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{database}{wal}"));
        }
        std::fs::rename(&clear, database).unwrap();
    }
    std::fs::remove_file(tls_dir.join(FILE)).unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn a_database_an_earlier_hub_kept_in_clear_is_encrypted_once_by_the_administrator() {
    let root = temp("at-rest-upgrade");
    for database in databases(&root, "at-rest-upgrade") {
        let dir = root.join(if is_postgres(&database) { "pg" } else { "sqlite" });
        std::fs::create_dir_all(&dir).unwrap();
        let hub = Hub::start(&database, &dir);
        let pushed = push_a_case(&dir, &hub).await;
        let held = hub.events_held();
        drop(hub);
        as_an_earlier_hub_kept_it(&database, &dir);
        if !is_postgres(&database) {
            assert!(holds(&std::fs::read(&database).unwrap(), pushed.name.as_bytes()));
        }

        let said = refused_to_serve(&database, &dir);
        assert!(said.contains("oscc-hub encrypt-database"), "{said}");
        let out = Command::new(env!("CARGO_BIN_EXE_oscc-hub"))
            .args(["encrypt-database", "--database", &database, "--tls-dir"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(dir.join(FILE).exists());

        let hub = Hub::start(&database, &dir);
        assert_eq!(hub.events_held(), held);
        assert!(
            common::clear_bodies(&hub.database, &hub.tls_dir)
                .iter()
                .any(|b| holds(b, pushed.name.as_bytes()))
        );
        for value in snapshot(&database) {
            assert!(!holds(&value, pushed.name.as_bytes()), "a value stayed in clear");
        }
        // Once is enough: a second run has nothing to do.
        let again = Command::new(env!("CARGO_BIN_EXE_oscc-hub"))
            .args(["encrypt-database", "--database", &database, "--tls-dir"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(!again.status.success());
    }
    let _ = std::fs::remove_dir_all(&root);
}
