//! Locks the book when the system says the user is gone. On Linux: the laptop about to sleep
//! (logind's `PrepareForSleep`, which a closed lid also sends when it suspends), the session
//! locked (logind's `Lock`), or the screen saver coming on (`ActiveChanged` of the
//! freedesktop and GNOME screen savers). Everywhere, Windows and macOS included, the idle
//! check also locks after a gap in its own ticks (`slept`): the sign that the laptop slept.

use std::time::{Duration, SystemTime};

/// How many of the idle check's intervals between two of its ticks mean the laptop slept (or
/// the app was frozen): the book locks as the laptop wakes. A busy laptop delays a tick by
/// seconds, not by three intervals.
const SLEEP_TICKS: u32 = 4;

/// Whether the wall clock moved on much more than the idle check's own interval.
pub fn slept(previous: SystemTime, now: SystemTime, every: Duration) -> bool {
    now.duration_since(previous).is_ok_and(|gap| gap > every * SLEEP_TICKS)
}

/// Starts listening; `gone` runs on a listener's thread each time the system says so. Where a
/// bus does not answer (no logind in a container, no screen saver), that source is skipped.
pub fn watch(gone: impl Fn() + Send + Sync + Clone + 'static) {
    #[cfg(target_os = "linux")]
    linux::watch(gone);
    #[cfg(not(target_os = "linux"))]
    drop(gone);
}

#[cfg(target_os = "linux")]
mod linux {
    use zbus::blocking::{Connection, MessageIterator};
    use zbus::message::Type;
    use zbus::{MatchRule, Message};

    /// (bus, interface, signal, whether the signal's boolean must be true)
    const SIGNALS: [(Bus, &str, &str, bool); 4] = [
        (Bus::System, "org.freedesktop.login1.Manager", "PrepareForSleep", true),
        (Bus::System, "org.freedesktop.login1.Session", "Lock", false),
        (Bus::Session, "org.freedesktop.ScreenSaver", "ActiveChanged", true),
        (Bus::Session, "org.gnome.ScreenSaver", "ActiveChanged", true),
    ];

    #[derive(Clone, Copy)]
    enum Bus {
        System,
        Session,
    }

    pub fn watch(gone: impl Fn() + Send + Sync + Clone + 'static) {
        for (bus, interface, member, needs_true) in SIGNALS {
            let gone = gone.clone();
            let _ = std::thread::Builder::new()
                .name(format!("os-lock-{member}"))
                .spawn(move || {
                    let Some(messages) = subscribe(bus, interface, member) else {
                        return;
                    };
                    for message in messages.flatten() {
                        if !needs_true || says_true(&message) {
                            gone();
                        }
                    }
                });
        }
    }

    fn subscribe(bus: Bus, interface: &'static str, member: &'static str) -> Option<MessageIterator> {
        let conn = match bus {
            Bus::System => Connection::system(),
            Bus::Session => Connection::session(),
        }
        .ok()?;
        let rule = MatchRule::builder()
            .msg_type(Type::Signal)
            .interface(interface)
            .ok()?
            .member(member)
            .ok()?
            .build();
        MessageIterator::for_match_rule(rule, &conn, Some(16)).ok()
    }

    fn says_true(message: &Message) -> bool {
        message.body().deserialize::<bool>().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_in_the_ticks_is_a_sleep_and_a_late_tick_is_not() {
        let every = Duration::from_secs(15);
        let before = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert!(!slept(before, before + every, every));
        assert!(!slept(before, before + Duration::from_secs(40), every), "a busy moment");
        assert!(
            slept(before, before + Duration::from_secs(61), every),
            "the lid was closed"
        );
        assert!(slept(before, before + Duration::from_secs(3600), every));
        assert!(
            !slept(before, before - Duration::from_secs(3600), every),
            "clock set back"
        );
    }
}
