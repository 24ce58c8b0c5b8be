//! Administrative areas as the address picker walks them (the data: store::reference).

use crate::book::Casebook;
use crate::error::Result;
use crate::store::reference::Area;

impl Casebook {
    /// Provinces (`parent` None), or the districts of a province, or the subdistricts of a
    /// district, in Thai alphabetical order.
    pub fn areas(&self, parent: Option<&str>) -> Result<Vec<Area>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT code, name_th, name_en, postcode FROM areas
             WHERE (?1 IS NULL AND level = 'province') OR parent_code = ?1 ORDER BY name_th",
        )?;
        let rows = stmt.query_map([parent], |r| {
            Ok(Area {
                code: r.get(0)?,
                name_th: r.get(1)?,
                name_en: r.get(2)?,
                postcode: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
