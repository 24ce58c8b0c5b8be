//! Requests each device has in flight. An honest laptop has at most three (two pushes and the
//! next pull page); a device sending many at once (a push after a gap waits up to 2 s on a
//! worker thread) could otherwise hold the hub's workers. Past the limit, 429 at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The most requests one device has in flight (room for one the laptop gave up on that is
/// still being answered).
const MAX_PER_DEVICE: usize = 6;

#[derive(Default)]
pub struct InFlight(Mutex<HashMap<String, usize>>);

/// One request of a device, counted until it is dropped.
pub struct Slot {
    flight: Arc<InFlight>,
    device: String,
}

impl InFlight {
    /// A slot for a request of `device`, or None when it has `MAX_PER_DEVICE` in flight.
    pub fn take(self: &Arc<Self>, device: &str) -> Option<Slot> {
        let mut counts = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = counts.entry(device.to_owned()).or_default();
        if *count >= MAX_PER_DEVICE {
            return None;
        }
        *count += 1;
        Some(Slot {
            flight: self.clone(),
            device: device.to_owned(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.flight.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = counts.get_mut(&self.device) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.device);
            }
        }
    }
}
