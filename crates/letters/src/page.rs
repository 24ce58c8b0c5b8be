//! The A4 page of Thai official documents (ระเบียบงานสารบรรณ): size, margins, paragraph indent
//! and body text size, in PDF points.

pub(crate) const PT_PER_MM: f32 = 72.0 / 25.4;
pub const PAGE_WIDTH: f32 = 210.0 * PT_PER_MM;
pub const PAGE_HEIGHT: f32 = 297.0 * PT_PER_MM;
pub const LEFT_MARGIN: f32 = 30.0 * PT_PER_MM;
pub const RIGHT_MARGIN: f32 = 20.0 * PT_PER_MM;
pub const PARAGRAPH_INDENT: f32 = 25.0 * PT_PER_MM;
/// Laksaman's glyphs are 1.5 times TH Sarabun New's: "16 pt" of the regulation.
pub const BODY_SIZE: f32 = 16.0 / 1.5;
