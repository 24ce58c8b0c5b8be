//! A database the hub runs on: its transactions over the SQL interface (`sql`), and how it
//! keeps event bodies and attachment bytes (`values`).

use super::sql::{Sql, StoreError};
use super::values::Values;

/// A database the hub can run on.
pub trait Backend: Send + Sync {
    /// How this database keeps event bodies and attachment bytes.
    fn values(&self) -> &Values;

    /// Runs `work` in one transaction that no other writer interleaves with: deliveries are
    /// numbered in commit order, so a cursor never passes one committed later.
    fn transaction<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError>;

    /// Runs `work`, which only reads, on a snapshot of what is committed. A backend that can
    /// read beside the writer does so: a device is recognised, and a unit pulls, while a push
    /// is being stored.
    fn read<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.transaction(work)
    }
}
