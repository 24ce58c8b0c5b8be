//! What the running app holds: where the book lives, the unlocked book (if any), and the idle
//! clock that locks it.

use crate::error::{Failure, Result};
use casebook::{Casebook, Session};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::AtomicU32;
use std::time::{Duration, Instant};

pub const DEFAULT_IDLE_MINUTES: u64 = 10;
/// How long without a command before maintenance may run.
const QUIET: Duration = Duration::from_secs(30);

pub struct Unlocked {
    pub book: Casebook,
    pub session: Session,
}

pub struct AppState {
    pub data_dir: PathBuf,
    pub book: Mutex<Option<Unlocked>>,
    pub last_activity: Mutex<Instant>,
    pub idle_minutes: Mutex<u64>,
    /// What the conference projector shows; set from the main window only.
    pub projection: Mutex<Projection>,
    /// The background sync's last outcome.
    pub sync: Mutex<SyncRun>,
    /// Percent copied by the backup under way, for the page to poll without the book's lock.
    pub backup_percent: AtomicU32,
}

/// What the sync task did last, for the status area.
#[derive(Debug, Clone, Default)]
pub struct SyncRun {
    pub last_ok: Option<String>,
    /// A message key (`sync.error.*`) when the last run failed.
    pub last_error: Option<String>,
    pub running: bool,
    pub failures: u32,
    pub wanted: bool,
    pub last_started: Option<Instant>,
    /// Events and attachments sent and taken in by the run going on (or the last one): the
    /// progress shown.
    pub pushed: u64,
    pub received: u64,
}

/// The case on the projector, the privacy screen, and the decisions as they are being typed.
#[derive(Debug, Default, Clone)]
pub struct Projection {
    pub agenda_case_id: Option<String>,
    pub blank: bool,
    pub draft: Option<String>,
}

impl AppState {
    pub fn new(data_dir: PathBuf, idle_minutes: u64) -> AppState {
        AppState {
            data_dir,
            book: Mutex::new(None),
            last_activity: Mutex::new(Instant::now()),
            idle_minutes: Mutex::new(idle_minutes),
            projection: Mutex::new(Projection::default()),
            sync: Mutex::new(SyncRun::default()),
            backup_percent: AtomicU32::new(0),
        }
    }

    /// Holds the book just opened (created, signed in to, restored) for the commands.
    pub fn open(&self, book: Casebook, session: Session) -> Result<()> {
        *self.book.lock().map_err(|_| Failure::Storage)? = Some(Unlocked { book, session });
        self.touch();
        Ok(())
    }

    /// Runs `work` on the unlocked book, counting as activity for the idle lock.
    pub fn with_book<T>(&self, work: impl FnOnce(&mut Casebook, &Session) -> casebook::Result<T>) -> Result<T> {
        self.touch();
        let mut guard = self.book.lock().map_err(|_| Failure::Storage)?;
        let unlocked = Self::signed_in(&mut guard)?;
        Ok(work(&mut unlocked.book, &unlocked.session)?)
    }

    /// Writes to the unlocked book without counting as activity: a form's draft, saved as it
    /// is typed (the keystrokes themselves count, through `touch`).
    pub fn keep<T>(&self, work: impl FnOnce(&mut Casebook, &Session) -> casebook::Result<T>) -> Result<T> {
        let mut guard = self.book.lock().map_err(|_| Failure::Storage)?;
        let unlocked = Self::signed_in(&mut guard)?;
        Ok(work(&mut unlocked.book, &unlocked.session)?)
    }

    /// Reads the unlocked book without counting as activity: for what the UI polls.
    pub fn look<T>(&self, read: impl FnOnce(&Casebook, &Session) -> casebook::Result<T>) -> Result<T> {
        let mut guard = self.book.lock().map_err(|_| Failure::Storage)?;
        let unlocked = Self::signed_in(&mut guard)?;
        Ok(read(&unlocked.book, &unlocked.session)?)
    }

    /// The unlocked book with its user as the unit's record has them now: a role changed on
    /// another laptop applies at once, and a user disabled there (the change came with a
    /// sync) is signed out: the book locks.
    fn signed_in(guard: &mut Option<Unlocked>) -> Result<&mut Unlocked> {
        let unlocked = guard.as_mut().ok_or(Failure::Locked)?;
        match unlocked.book.current_session(&unlocked.session) {
            Ok(session) => unlocked.session = session,
            Err(casebook::Error::UnknownUser) => {
                *guard = None;
                return Err(Failure::Locked.into());
            }
            Err(err) => return Err(err.into()),
        }
        guard.as_mut().ok_or_else(|| Failure::Locked.into())
    }

    pub fn touch(&self) {
        if let Ok(mut last) = self.last_activity.lock() {
            *last = Instant::now();
        }
    }

    /// While nobody is typing, tidies the database (checkpoint, search-index merge) so that
    /// the cost does not fall on the next save.
    pub fn maintain_if_quiet(&self) {
        let quiet = self.last_activity.lock().map(|t| t.elapsed() >= QUIET).unwrap_or(false);
        if quiet
            && let Ok(guard) = self.book.lock()
            && let Some(unlocked) = guard.as_ref()
            && let Err(err) = unlocked.book.maintain()
        {
            eprintln!("maintenance skipped: {}", err.message_key());
        }
    }

    /// Locks the book if nobody has used it for the idle time. Dropping the book closes the
    /// database and zeroizes the key.
    pub fn lock_if_idle(&self) {
        let idle = self.last_activity.lock().map(|t| t.elapsed()).unwrap_or_default();
        let limit = Duration::from_secs(60 * self.idle_minutes.lock().map(|m| *m).unwrap_or(DEFAULT_IDLE_MINUTES));
        if idle >= limit
            && let Ok(mut book) = self.book.lock()
        {
            *book = None;
        }
    }
}
