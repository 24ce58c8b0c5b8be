//! What the running app holds: where the book lives, the unlocked book (if any), the
//! documents written for the viewer, and the idle clock that locks it.

use crate::error::{Failure, Result};
use crate::exports::Exports;
use casebook::{Casebook, Session};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::AtomicU32;
use std::time::{Duration, Instant, SystemTime};

pub const DEFAULT_IDLE_MINUTES: u64 = 10;
/// How long without a command before maintenance may run.
const QUIET: Duration = Duration::from_secs(30);

/// The last use of the app, on both clocks: the monotonic one for what runs in the
/// background, the wall clock for the idle lock, since the monotonic clock stops while the
/// laptop sleeps (a laptop that slept an hour must not wake up with the book open).
#[derive(Debug, Clone, Copy)]
pub struct Activity {
    pub monotonic: Instant,
    pub wall: SystemTime,
}

impl Activity {
    pub fn now() -> Activity {
        Activity {
            monotonic: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    /// Time since, by whichever clock says more (a wall clock set back cannot keep it open).
    pub fn idle(&self) -> Duration {
        let wall = SystemTime::now().duration_since(self.wall).unwrap_or_default();
        wall.max(self.monotonic.elapsed())
    }
}

pub struct Unlocked {
    pub book: Casebook,
    pub session: Session,
}

pub struct AppState {
    pub data_dir: PathBuf,
    /// The data folder's instance lock, held for the run (`casebook::store::layout::hold`).
    _instance: std::fs::File,
    pub book: Mutex<Option<Unlocked>>,
    /// Documents written for the viewer, in a private folder outside the data folder.
    pub exports: Exports,
    pub last_activity: Mutex<Activity>,
    pub idle_minutes: Mutex<u64>,
    /// What the conference projector shows; set from the main window only.
    pub projection: Mutex<Projection>,
    /// The background sync's last outcome.
    pub sync: Mutex<SyncRun>,
    /// Percent done of the backup, key change or batch of letters under way, for the page to
    /// poll without the book's lock.
    pub copy_percent: AtomicU32,
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
    pub fn new(data_dir: PathBuf, idle_minutes: u64, instance: std::fs::File) -> AppState {
        AppState {
            data_dir,
            _instance: instance,
            book: Mutex::new(None),
            exports: Exports::new(),
            last_activity: Mutex::new(Activity::now()),
            idle_minutes: Mutex::new(idle_minutes),
            projection: Mutex::new(Projection::default()),
            sync: Mutex::new(SyncRun::default()),
            copy_percent: AtomicU32::new(0),
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
        let unlocked = self.ready(&mut guard)?;
        Ok(work(&mut unlocked.book, &unlocked.session)?)
    }

    /// `with_book`, also while a passphrase an administrator set is still to be changed: for
    /// changing it.
    pub fn with_book_as_is<T>(&self, work: impl FnOnce(&mut Casebook, &Session) -> casebook::Result<T>) -> Result<T> {
        self.touch();
        let mut guard = self.book.lock().map_err(|_| Failure::Storage)?;
        let unlocked = self.signed_in(&mut guard)?;
        Ok(work(&mut unlocked.book, &unlocked.session)?)
    }

    /// Writes to the unlocked book without counting as activity: a form's draft, saved as it
    /// is typed (the keystrokes themselves count, through `touch`).
    pub fn keep<T>(&self, work: impl FnOnce(&mut Casebook, &Session) -> casebook::Result<T>) -> Result<T> {
        let mut guard = self.book.lock().map_err(|_| Failure::Storage)?;
        let unlocked = self.ready(&mut guard)?;
        Ok(work(&mut unlocked.book, &unlocked.session)?)
    }

    /// Reads the unlocked book without counting as activity: for what the UI polls.
    pub fn look<T>(&self, read: impl FnOnce(&Casebook, &Session) -> casebook::Result<T>) -> Result<T> {
        let mut guard = self.book.lock().map_err(|_| Failure::Storage)?;
        let unlocked = self.ready(&mut guard)?;
        Ok(read(&unlocked.book, &unlocked.session)?)
    }

    /// Writes a document for the viewer, holding the book: refused once the book locked, so
    /// that no document is written after the lock removed them.
    pub fn export(&self, document: &documents::Document) -> Result<String> {
        let guard = self.book.lock().map_err(|_| Failure::Storage)?;
        if guard.is_none() {
            return Err(Failure::Locked.into());
        }
        self.exports.save(document)
    }

    /// `export` of bytes already made (an attachment to open in the system's viewer).
    pub fn export_bytes(&self, name: &str, bytes: &[u8]) -> Result<String> {
        let guard = self.book.lock().map_err(|_| Failure::Storage)?;
        if guard.is_none() {
            return Err(Failure::Locked.into());
        }
        self.exports.save_bytes(name, bytes)
    }

    /// `signed_in`, and the user has their own passphrase: nothing else is done with one an
    /// administrator set.
    fn ready<'a>(&self, guard: &'a mut Option<Unlocked>) -> Result<&'a mut Unlocked> {
        let unlocked = self.signed_in(guard)?;
        if unlocked.book.must_change_passphrase() {
            return Err(Failure::PassphraseToChange.into());
        }
        Ok(unlocked)
    }

    /// The unlocked book with its user as the unit's record has them now: a role changed on
    /// another laptop applies at once, and a user disabled there (the change came with a
    /// sync) is signed out: the book locks.
    fn signed_in<'a>(&self, guard: &'a mut Option<Unlocked>) -> Result<&'a mut Unlocked> {
        let unlocked = guard.as_mut().ok_or(Failure::Locked)?;
        match unlocked.book.current_session(&unlocked.session) {
            Ok(session) => unlocked.session = session,
            Err(casebook::Error::UnknownUser) => {
                // Disabled on another laptop: locked here as any lock does.
                *guard = None;
                self.clear_after_lock();
                return Err(Failure::Locked.into());
            }
            Err(err) => return Err(err.into()),
        }
        guard.as_mut().ok_or_else(|| Failure::Locked.into())
    }

    pub fn touch(&self) {
        if let Ok(mut last) = self.last_activity.lock() {
            *last = Activity::now();
        }
    }

    /// While nobody is typing, tidies the database (checkpoint, search-index merge) so that
    /// the cost does not fall on the next save.
    pub fn maintain_if_quiet(&self) {
        let quiet = self.last_activity.lock().map(|t| t.idle() >= QUIET).unwrap_or(false);
        if quiet
            && let Ok(guard) = self.book.lock()
            && let Some(unlocked) = guard.as_ref()
            && let Err(err) = unlocked.book.maintain()
        {
            eprintln!("maintenance skipped: {}", err.message_key());
        }
    }

    /// Locks the book if nobody has used it for the idle time (by the wall clock). True when
    /// it locked now.
    pub fn lock_if_idle(&self) -> bool {
        let idle = self.last_activity.lock().map(|t| t.idle()).unwrap_or_default();
        let limit = Duration::from_secs(60 * self.idle_minutes.lock().map(|m| *m).unwrap_or(DEFAULT_IDLE_MINUTES));
        idle >= limit && self.lock()
    }

    /// Locks the book: the database closes and the key is zeroized (dropping the book), the
    /// projector goes blank, and the documents written for the viewer are removed. True when
    /// a book was open.
    pub fn lock(&self) -> bool {
        let was_open = self.book.lock().map(|mut book| book.take().is_some()).unwrap_or(false);
        self.clear_after_lock();
        was_open
    }

    /// What goes with the book at a lock: the projector's case, the documents written.
    fn clear_after_lock(&self) {
        if let Ok(mut projection) = self.projection.lock() {
            *projection = Projection::default();
        }
        self.exports.clear();
    }
}
