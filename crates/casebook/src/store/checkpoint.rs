//! WAL checkpoints on a thread of their own, for bulk writers (taking in a sync, the hub
//! storing pushes). Copying the WAL back into the database was an eighth of a first pull's
//! time on the writing thread; here it runs on another core while the writer goes on, since
//! in WAL mode a checkpoint and a write transaction do not wait for each other. The writer's
//! own automatic checkpoint stays as the backstop: it then finds most frames copied already.

use rusqlite::Connection;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

pub struct Checkpointer {
    nudges: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Checkpoints through `conn`, a second connection to the writer's database.
    pub fn start(conn: Connection) -> std::io::Result<Checkpointer> {
        // One nudge waiting is enough: the checkpoint it starts copies every frame there is.
        let (nudges, waiting) = sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || {
                while waiting.recv().is_ok() {
                    // Busy (another checkpoint is running) or failed: the next nudge, or the
                    // writer's own checkpoint, does the copying.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })?;
        Ok(Checkpointer {
            nudges: Some(nudges),
            thread: Some(thread),
        })
    }

    /// Asks for a checkpoint after a commit; returns at once.
    pub fn nudge(&self) {
        if let Some(nudges) = &self.nudges {
            let _ = nudges.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Closing the channel ends the thread once its checkpoint is done.
        self.nudges.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nudge_copies_the_wal_into_the_database_on_the_other_thread() {
        let dir = std::env::temp_dir().join(format!("casebook-checkpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("book.db");
        let writer = Connection::open(&file).unwrap();
        // The writer never checkpoints by itself here: only the thread can copy the WAL back.
        writer
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x BLOB);")
            .unwrap();
        for _ in 0..256 {
            writer.execute("INSERT INTO t VALUES (zeroblob(4096))", []).unwrap();
        }
        let size = || std::fs::metadata(&file).unwrap().len();
        assert!(size() < 64 * 1024, "the rows are still only in the WAL");
        let checkpointer = Checkpointer::start(Connection::open(&file).unwrap()).unwrap();
        checkpointer.nudge();
        // Dropping waits for the checkpoint asked for.
        drop(checkpointer);
        assert!(size() > 256 * 4096, "the database holds the rows: {} bytes", size());
        drop(writer);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
