//! Hybrid logical clock: orders events right even on laptops whose wall clocks are wrong.
//! Text form "<13-digit ms>-<5-digit counter>-<device id>" sorts in clock order.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
    pub device: String,
}

impl Hlc {
    pub fn parse(text: &str) -> Option<Hlc> {
        let mut parts = text.splitn(3, '-');
        let millis = parts.next()?.parse().ok()?;
        let counter = parts.next()?.parse().ok()?;
        let device = parts.next()?.to_owned();
        Some(Hlc {
            millis,
            counter,
            device,
        })
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}-{:05}-{}", self.millis, self.counter, self.device)
    }
}

/// The device's clock: never goes backwards, and moves past any clock it has seen.
#[derive(Debug, Clone)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    pub fn new(device: &str, last_seen: Option<Hlc>) -> Clock {
        let last = last_seen.unwrap_or(Hlc {
            millis: 0,
            counter: 0,
            device: device.to_owned(),
        });
        Clock {
            last: Hlc {
                device: device.to_owned(),
                ..last
            },
        }
    }

    pub fn tick(&mut self, wall_millis: u64) -> Hlc {
        if wall_millis > self.last.millis {
            self.last.millis = wall_millis;
            self.last.counter = 0;
        } else {
            self.last.counter += 1;
        }
        self.last.clone()
    }

    /// Takes in a remote clock so the next tick orders after it.
    pub fn observe(&mut self, remote: &Hlc) {
        if (remote.millis, remote.counter) > (self.last.millis, self.last.counter) {
            self.last.millis = remote.millis;
            self.last.counter = remote.counter;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_sorts_like_the_clock_and_round_trips() {
        let a = Hlc {
            millis: 5,
            counter: 2,
            device: "d1".into(),
        };
        let b = Hlc {
            millis: 12,
            counter: 0,
            device: "d0".into(),
        };
        assert!(a < b && a.to_string() < b.to_string());
        assert_eq!(Hlc::parse(&a.to_string()), Some(a));
    }

    #[test]
    fn never_goes_back_when_the_wall_clock_does() {
        let mut clock = Clock::new("dev", None);
        let first = clock.tick(1_000);
        let second = clock.tick(900);
        assert!(second > first);
        clock.observe(&Hlc {
            millis: 5_000,
            counter: 7,
            device: "other".into(),
        });
        assert!(
            clock.tick(1_000)
                > Hlc {
                    millis: 5_000,
                    counter: 7,
                    device: "dev".into()
                }
        );
    }
}
