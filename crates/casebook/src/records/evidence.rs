//! Cleaning photos and scans before they are attached to a case.
//!
//! A phone photo of a home visit carries EXIF metadata, and its GPS tag is the client's
//! address; the camera model, the time to the second and the owner's name may ride along too.
//! So nothing is stored as it came in: [`clean`] looks at the bytes themselves (a declared
//! type or a file name is never trusted), decodes a JPEG or PNG, turns it upright as its EXIF
//! orientation says (the tag is about to go, and a sideways photo would stay sideways),
//! shrinks it so the long edge is at most [`MAX_EDGE`] pixels, and encodes fresh pixels into a
//! new file. Only pixels cross over: no EXIF, XMP, IPTC, ICC profile, PNG text chunk or
//! comment survives, because the encoders are given none. A PDF is accepted as it is, on its
//! `%PDF-` signature; anything else is refused with [`Rule::NotAPhotoOrPdf`], and a JPEG or PNG
//! that does not decode with [`Rule::DamagedFile`].
//!
//! Decoding is bounded (no edge over 20,000 pixels, at most 512 MiB of pixels): a small crafted
//! file that claims huge dimensions is refused as damaged before its pixels are allocated.

use crate::error::{Invalid, Rule};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, ImageResult, Limits, RgbImage};
use std::io::Cursor;

/// The long edge of a stored photo, in pixels: enough to read a document or see a bruise.
pub const MAX_EDGE: u32 = 2048;
/// The long edge of a thumbnail on the case page, in pixels.
pub const THUMBNAIL_EDGE: u32 = 320;

/// JPEG quality of a stored photo.
const PHOTO_QUALITY: u8 = 85;
/// JPEG quality of a thumbnail.
const THUMBNAIL_QUALITY: u8 = 80;
/// The largest width or height decoded; larger files are refused as damaged.
const MAX_DECODED_EDGE: u32 = 20_000;
/// The most memory a decoded image may take (4000 x 3000 RGB is 36 MB).
const MAX_DECODED_BYTES: u64 = 512 * 1024 * 1024;
/// The field named by an error of [`thumbnail`], which has no form field of its own.
const THUMBNAIL_FIELD: &str = "attachment";

/// Bytes fit to store, and their type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// What the bytes are, by their first bytes alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Jpeg,
    Png,
    Pdf,
}

fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?;
    match reader.format() {
        Some(ImageFormat::Jpeg) => Some(Kind::Jpeg),
        Some(ImageFormat::Png) => Some(Kind::Png),
        _ => None,
    }
}

impl Kind {
    fn mime(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Pdf => "application/pdf",
        }
    }
}

/// The type of bytes that come from elsewhere (a file another laptop stored, fetched from the
/// hub), by the bytes, when they are as `clean` leaves them: a PDF, or a JPEG or PNG that
/// carries nothing but its pixels (no APP1–APP15 or comment segment in a JPEG; in a PNG no
/// chunk beyond IHDR, PLTE, tRNS, IDAT and IEND); None otherwise. A device that skipped
/// cleaning (an older release, a rogue one) cannot plant a photo with its GPS tag on the
/// other laptops, nor pass a file off as another type.
pub fn clean_type(bytes: &[u8]) -> Option<&'static str> {
    let kind = sniff(bytes)?;
    let bare = match kind {
        Kind::Pdf => true,
        Kind::Jpeg => jpeg_is_bare(bytes),
        Kind::Png => png_is_bare(bytes),
    };
    bare.then(|| kind.mime())
}

/// The JPEG's segments up to the image data hold no metadata.
fn jpeg_is_bare(bytes: &[u8]) -> bool {
    let mut at = 2; // after SOI
    while let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) {
        match marker {
            0xE1..=0xEF | 0xFE => return false,
            0xDA => return true, // start of scan: the pixels follow
            _ => {}
        }
        let Some(length) = bytes
            .get(at + 2..at + 4)
            .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
        else {
            return false;
        };
        at += 2 + length;
    }
    false
}

/// The PNG holds only the chunks an image needs.
fn png_is_bare(bytes: &[u8]) -> bool {
    let mut at = 8; // after the signature
    while let Some(head) = bytes.get(at..at + 8) {
        let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if !matches!(&head[4..8], b"IHDR" | b"PLTE" | b"tRNS" | b"IDAT" | b"IEND") {
            return false;
        }
        if &head[4..8] == b"IEND" {
            return true;
        }
        at = at.saturating_add(12).saturating_add(length);
    }
    false
}

/// Cleans an attachment for storing: sniffs the content (never trusts a declared type).
///
/// - JPEG: decoded, its EXIF orientation applied, scaled down (never up) so the long edge is at
///   most [`MAX_EDGE`], re-encoded as JPEG at quality 85.
/// - PNG: the same, re-encoded as PNG (scanned documents stay crisp; transparency is kept).
/// - PDF (starts with `%PDF-`): unchanged, `application/pdf`.
/// - Anything else (HEIC, GIF, a Word file): `Invalid::new(field, Rule::NotAPhotoOrPdf)`.
/// - A JPEG or PNG that cannot be decoded, or that is too large to decode safely:
///   `Invalid::new(field, Rule::DamagedFile)`.
pub fn clean(field: &str, bytes: &[u8]) -> Result<Cleaned, Invalid> {
    let kind = sniff(bytes).ok_or_else(|| Invalid::new(field, Rule::NotAPhotoOrPdf))?;
    let damaged = |_| Invalid::new(field, Rule::DamagedFile);
    match kind {
        Kind::Pdf => Ok(Cleaned {
            mime: kind.mime(),
            bytes: bytes.to_vec(),
        }),
        Kind::Jpeg => {
            let image = decode(bytes, MAX_EDGE).map_err(damaged)?;
            Ok(Cleaned {
                mime: kind.mime(),
                bytes: encode_jpeg(&image, PHOTO_QUALITY).map_err(damaged)?,
            })
        }
        Kind::Png => {
            let image = decode(bytes, MAX_EDGE).map_err(damaged)?;
            let mut out = Vec::new();
            image.write_with_encoder(PngEncoder::new(&mut out)).map_err(damaged)?;
            Ok(Cleaned {
                mime: kind.mime(),
                bytes: out,
            })
        }
    }
}

/// A JPEG whose long edge is at most [`THUMBNAIL_EDGE`], of a cleaned photo (its bytes as
/// stored); transparent parts of a PNG show white. `None` for a PDF, which has no picture.
pub fn thumbnail(bytes: &[u8]) -> Result<Option<Vec<u8>>, Invalid> {
    let damaged = |_| Invalid::new(THUMBNAIL_FIELD, Rule::DamagedFile);
    match sniff(bytes) {
        None => Err(Invalid::new(THUMBNAIL_FIELD, Rule::NotAPhotoOrPdf)),
        Some(Kind::Pdf) => Ok(None),
        Some(Kind::Jpeg | Kind::Png) => {
            let image = decode(bytes, THUMBNAIL_EDGE).map_err(damaged)?;
            encode_jpeg(&image, THUMBNAIL_QUALITY).map(Some).map_err(damaged)
        }
    }
}

/// The decoding limits: no edge over 20,000 pixels, at most 512 MiB for the pixels.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_EDGE);
    limits.max_image_height = Some(MAX_DECODED_EDGE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

/// The pixels of a JPEG or PNG, scaled down (never up) so the long edge is at most `edge`, and
/// turned upright as its EXIF orientation says. A decoder that panics on a malformed file counts
/// as a decoding error, not a crash of the app.
fn decode(bytes: &[u8], edge: u32) -> ImageResult<DynamicImage> {
    std::panic::catch_unwind(|| {
        let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
        let mut limits = limits();
        reader.limits(limits.clone());
        let mut decoder = reader.into_decoder()?;
        // `into_decoder` checks the dimensions only, and `from_decoder` allocates the pixels
        // in one piece: their size is checked here, before they exist.
        limits.reserve(decoder.total_bytes())?;
        let orientation = decoder.orientation()?;
        let mut image = DynamicImage::from_decoder(decoder)?;
        if image.width() > edge || image.height() > edge {
            image = image.resize(edge, edge, FilterType::Triangle);
        }
        // The box is square, so scaling first gives the same picture as turning first; the
        // turn (a copy for 90 and 270 degrees) is then done on the smaller image.
        image.apply_orientation(orientation);
        Ok(image)
    })
    .unwrap_or_else(|_| {
        Err(ImageError::Decoding(image::error::DecodingError::from_format_hint(
            image::error::ImageFormatHint::Unknown,
        )))
    })
}

/// JPEG bytes of the image; grey stays grey, anything else becomes 8-bit RGB, transparency
/// over white.
fn encode_jpeg(image: &DynamicImage, quality: u8) -> ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, quality);
    match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => image.write_with_encoder(encoder)?,
        _ if image.color().has_alpha() => DynamicImage::ImageRgb8(over_white(image)).write_with_encoder(encoder)?,
        _ => DynamicImage::ImageRgb8(image.to_rgb8()).write_with_encoder(encoder)?,
    }
    Ok(out)
}

/// The image composed over a white background.
fn over_white(image: &DynamicImage) -> RgbImage {
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let a = u16::from(a);
        let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

/// Synthetic files for tests, here and in other crates: tiny gradients with made-up metadata,
/// no personal data.
pub mod fixtures {
    use image::codecs::jpeg::JpegEncoder;
    use image::{Rgb, RgbImage};

    /// The GPS latitude the fixtures carry, 13° 45' 12.34" N (an invented point in Bangkok), as
    /// the three little-endian TIFF rationals stored in the file: search a file for these bytes
    /// to see whether the position survived.
    pub const GPS_LATITUDE: [u8; 24] = [
        13, 0, 0, 0, 1, 0, 0, 0, // 13/1 degrees
        45, 0, 0, 0, 1, 0, 0, 0, // 45/1 minutes
        0xd2, 0x04, 0, 0, 100, 0, 0, 0, // 1234/100 seconds
    ];

    /// A `width` x `height` picture whose red rises from left to right and green from top to
    /// bottom, so a test can tell which way up it is.
    pub fn gradient(width: u32, height: u32) -> RgbImage {
        let step = |i: u32, n: u32| (i * 255 / n.saturating_sub(1).max(1)) as u8;
        RgbImage::from_fn(width, height, |x, y| Rgb([step(x, width), step(y, height), 128]))
    }

    /// An EXIF block as a JPEG's APP1 segment or a PNG's eXIf chunk carries it (a little-endian
    /// TIFF header, without the `Exif\0\0` prefix): IFD0 with the Orientation tag and, if `gps`,
    /// a pointer to a GPS IFD holding GPSLatitudeRef `N` and [`GPS_LATITUDE`].
    pub fn exif_tiff(orientation: u16, gps: bool) -> Vec<u8> {
        let entries: u16 = if gps { 2 } else { 1 };
        let mut tiff = b"II*\0".to_vec();
        tiff.extend(8u32.to_le_bytes()); // IFD0 right after the header
        tiff.extend(entries.to_le_bytes());
        // Orientation (0x0112), SHORT, one value.
        tiff.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0]);
        tiff.extend(orientation.to_le_bytes());
        tiff.extend([0, 0]);
        let gps_ifd = 8 + 2 + 12 * u32::from(entries) + 4;
        if gps {
            // GPSInfo (0x8825), LONG, the GPS IFD's offset.
            tiff.extend([0x25, 0x88, 4, 0, 1, 0, 0, 0]);
            tiff.extend(gps_ifd.to_le_bytes());
        }
        tiff.extend(0u32.to_le_bytes()); // no IFD1
        if gps {
            let latitude = gps_ifd + 2 + 2 * 12 + 4;
            tiff.extend(2u16.to_le_bytes());
            // GPSLatitudeRef (1), ASCII, "N\0".
            tiff.extend([1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
            // GPSLatitude (2), RATIONAL, three values at `latitude`.
            tiff.extend([2, 0, 5, 0, 3, 0, 0, 0]);
            tiff.extend(latitude.to_le_bytes());
            tiff.extend(0u32.to_le_bytes());
            tiff.extend(GPS_LATITUDE);
        }
        tiff
    }

    /// A JPEG of [`gradient`] as a phone writes it: an APP1 `Exif` segment right after the start
    /// marker, with the orientation tag (1 upright, 6 turned a quarter clockwise, ...) and, if
    /// `gps`, the position of [`exif_tiff`].
    pub fn jpeg_with_exif(width: u32, height: u32, orientation: u16, gps: bool) -> Vec<u8> {
        let mut plain = Vec::new();
        JpegEncoder::new_with_quality(&mut plain, 90)
            .encode_image(&gradient(width, height))
            .expect("a gradient encodes in memory");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(exif_tiff(orientation, gps));
        let length = u16::try_from(app1.len() + 2).expect("the EXIF block is tiny");
        let mut jpeg = plain[..2].to_vec(); // SOI
        jpeg.extend([0xff, 0xe1]);
        jpeg.extend(length.to_be_bytes());
        jpeg.extend(app1);
        jpeg.extend(&plain[2..]);
        jpeg
    }
}

#[cfg(test)]
mod clean_check_tests {
    use super::fixtures::{gradient, jpeg_with_exif};
    use super::*;

    #[test]
    fn what_clean_makes_passes_and_a_tagged_photo_does_not() {
        let tagged = jpeg_with_exif(64, 48, 1, true);
        assert!(clean_type(&tagged).is_none(), "a JPEG with EXIF passed");
        assert_eq!(clean_type(&clean("f", &tagged).unwrap().bytes), Some("image/jpeg"));
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(gradient(32, 16))
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        assert_eq!(clean_type(&clean("f", &png).unwrap().bytes), Some("image/png"));
        // A text chunk before the image data: refused.
        let mut with_text = png[..33].to_vec();
        with_text.extend(7u32.to_be_bytes());
        with_text.extend(b"tEXtComment");
        with_text.extend([0; 4]);
        with_text.extend(&png[33..]);
        assert!(clean_type(&with_text).is_none());
        assert_eq!(clean_type(b"%PDF-1.4\n"), Some("application/pdf"));
        assert!(clean_type(b"\0\0\0\x18ftypheic").is_none());
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{GPS_LATITUDE, exif_tiff, gradient, jpeg_with_exif};
    use super::*;
    use image::{GenericImageView, RgbaImage};

    /// The image in `bytes`, decoded as a viewer without EXIF support would (no turning).
    fn plain(bytes: &[u8]) -> DynamicImage {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .unwrap()
            .decode()
            .unwrap()
    }

    fn dimensions(bytes: &[u8]) -> (u32, u32) {
        plain(bytes).dimensions()
    }

    /// The markers of a JPEG's segments up to the start of the scan.
    fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
        assert_eq!(&jpeg[..2], [0xff, 0xd8]);
        let mut markers = Vec::new();
        let mut at = 2;
        while at + 4 <= jpeg.len() && jpeg[at] == 0xff {
            let marker = jpeg[at + 1];
            markers.push(marker);
            if marker == 0xda {
                break;
            }
            at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        }
        markers
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut chunk = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        chunk.extend(kind);
        chunk.extend(data);
        chunk.extend(crc32(&chunk[4..]).to_be_bytes());
        chunk
    }

    /// The PNG with `chunks` put right after its IHDR.
    fn png_with(png: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
        let after_ihdr = 8 + 4 + 4 + 13 + 4;
        let mut out = png[..after_ihdr].to_vec();
        for chunk in chunks {
            out.extend(chunk);
        }
        out.extend(&png[after_ihdr..]);
        out
    }

    fn png_chunk_types(png: &[u8]) -> Vec<String> {
        let mut types = Vec::new();
        let mut at = 8;
        while at + 8 <= png.len() {
            let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            types.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
            at += 12 + length;
        }
        types
    }

    fn encode_png(image: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_with_encoder(PngEncoder::new(&mut out)).unwrap();
        out
    }

    /// A half-transparent RGBA picture: alpha falls from left to right.
    fn rgba(width: u32, height: u32) -> RgbaImage {
        RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([(x * 8) as u8, (y * 8) as u8, 200, 255 - (x * 255 / (width - 1)) as u8])
        })
    }

    /// The mean red of rows `rows` of the picture.
    fn mean_red(image: &DynamicImage, rows: std::ops::Range<u32>) -> f64 {
        let rgb = image.to_rgb8();
        let mut sum = 0.0;
        let mut n = 0.0;
        for y in rows {
            for x in 0..rgb.width() {
                sum += f64::from(rgb.get_pixel(x, y).0[0]);
                n += 1.0;
            }
        }
        sum / n
    }

    #[test]
    fn a_cleaned_photo_has_no_exif_and_no_gps() {
        let photo = jpeg_with_exif(64, 48, 1, true);
        assert!(contains(&photo, b"Exif\0\0"));
        assert!(contains(&photo, &GPS_LATITUDE));
        assert!(jpeg_markers(&photo).contains(&0xe1), "the fixture has an APP1 segment");

        let cleaned = clean("photo", &photo).unwrap();
        assert_eq!(cleaned.mime, "image/jpeg");
        assert!(!contains(&cleaned.bytes, b"Exif"));
        assert!(!contains(&cleaned.bytes, &GPS_LATITUDE));
        assert!(!contains(&cleaned.bytes, &[0xff, 0xe1]));
        let app_segments: Vec<u8> = jpeg_markers(&cleaned.bytes)
            .into_iter()
            .filter(|m| (0xe1..=0xef).contains(m) || *m == 0xfe)
            .collect();
        assert_eq!(app_segments, [] as [u8; 0], "no APP1-15 or comment segment");

        let mut decoder = ImageReader::new(Cursor::new(&cleaned.bytes))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(decoder.exif_metadata().unwrap(), None);
        assert_eq!(decoder.dimensions(), (64, 48));
    }

    #[test]
    fn orientation_6_turns_a_photo_upright() {
        let photo = jpeg_with_exif(40, 20, 6, false);
        assert_eq!(dimensions(&photo), (40, 20), "stored sideways, as a phone does");

        let cleaned = clean("photo", &photo).unwrap();
        let upright = plain(&cleaned.bytes);
        assert_eq!(upright.dimensions(), (20, 40));
        // A quarter turn clockwise: the left edge (no red) becomes the top.
        let top = mean_red(&upright, 0..10);
        let bottom = mean_red(&upright, 30..40);
        assert!(top + 100.0 < bottom, "top {top}, bottom {bottom}");

        let untouched = plain(&clean("photo", &jpeg_with_exif(40, 20, 1, false)).unwrap().bytes);
        assert_eq!(untouched.dimensions(), (40, 20));
    }

    #[test]
    fn a_large_photo_is_shrunk_to_max_edge_and_a_small_one_is_not_enlarged() {
        let (width, height) = dimensions(&clean("photo", &jpeg_with_exif(3000, 1000, 1, true)).unwrap().bytes);
        assert_eq!(width, MAX_EDGE);
        assert!(height.abs_diff(683) <= 1, "height {height}");

        // Turned and shrunk: the long edge is the height now.
        let (width, height) = dimensions(&clean("photo", &jpeg_with_exif(3000, 1000, 6, false)).unwrap().bytes);
        assert!(width.abs_diff(683) <= 1, "width {width}");
        assert_eq!(height, MAX_EDGE);

        assert_eq!(
            dimensions(&clean("photo", &jpeg_with_exif(100, 50, 1, false)).unwrap().bytes),
            (100, 50)
        );
    }

    #[test]
    fn a_png_loses_its_text_and_exif_and_keeps_its_pixels_and_transparency() {
        let picture = DynamicImage::ImageRgba8(rgba(30, 20));
        let png = png_with(
            &encode_png(&picture),
            &[
                png_chunk(b"tEXt", b"Comment\0visit at 99 Soi Example"),
                png_chunk(b"eXIf", &exif_tiff(1, true)),
            ],
        );
        assert!(contains(&png, b"tEXt") && contains(&png, b"Soi Example"));
        assert!(contains(&png, &GPS_LATITUDE));
        assert_eq!(plain(&png), picture, "the chunks are well formed");

        let cleaned = clean("scan", &png).unwrap();
        assert_eq!(cleaned.mime, "image/png");
        assert_eq!(png_chunk_types(&cleaned.bytes), ["IHDR", "IDAT", "IEND"]);
        assert!(!contains(&cleaned.bytes, b"Soi Example"));
        assert!(!contains(&cleaned.bytes, &GPS_LATITUDE));
        assert_eq!(plain(&cleaned.bytes), picture, "lossless, alpha kept");
    }

    #[test]
    fn a_png_is_turned_upright_by_its_exif_too() {
        let png = png_with(
            &encode_png(&DynamicImage::ImageRgb8(gradient(30, 20))),
            &[png_chunk(b"eXIf", &exif_tiff(6, false))],
        );
        let cleaned = plain(&clean("scan", &png).unwrap().bytes);
        assert_eq!(cleaned.dimensions(), (20, 30));
        assert_eq!(cleaned, DynamicImage::ImageRgb8(gradient(30, 20)).rotate90());
    }

    #[test]
    fn a_pdf_is_kept_as_it_is() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        let cleaned = clean("scan", pdf).unwrap();
        assert_eq!(cleaned.mime, "application/pdf");
        assert_eq!(cleaned.bytes, pdf);
    }

    #[test]
    fn anything_but_a_photo_or_pdf_is_refused_by_its_content() {
        let refused = Err(Invalid::new("photo", Rule::NotAPhotoOrPdf));
        // An iPhone's HEIC, a GIF, a Word file, text, nothing; a PDF signature not at the start.
        for bytes in [
            &b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0"[..],
            b"GIF89a\x01\0\x01\0\0\0\0;",
            b"PK\x03\x04\x14\0\x06\0word/document.xml",
            b"<html><body>not a photo</body></html>",
            b"",
            b" %PDF-1.4\n",
        ] {
            assert_eq!(clean("photo", bytes), refused, "{bytes:?}");
        }
        // The content decides the type: a PNG is stored as a PNG whatever it was called.
        let png = encode_png(&DynamicImage::ImageRgb8(gradient(8, 8)));
        assert_eq!(clean("photo", &png).unwrap().mime, "image/png");
    }

    #[test]
    fn a_cut_short_photo_is_damaged() {
        let damaged = Err(Invalid::new("photo", Rule::DamagedFile));
        let jpeg = jpeg_with_exif(64, 48, 1, false);
        assert_eq!(clean("photo", &jpeg[..200]), damaged);
        let png = encode_png(&DynamicImage::ImageRgb8(gradient(64, 48)));
        assert_eq!(clean("photo", &png[..png.len() / 2]), damaged);
        assert_eq!(clean("photo", &png[..40]), damaged);
    }

    /// A PNG that claims `width` x `height` RGBA pixels and holds a few bytes.
    fn png_claiming(width: u32, height: u32) -> Vec<u8> {
        let mut header = width.to_be_bytes().to_vec();
        header.extend(height.to_be_bytes());
        header.extend([8, 6, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(png_chunk(b"IHDR", &header));
        png.extend(png_chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00]));
        png.extend(png_chunk(b"IEND", b""));
        png
    }

    #[test]
    fn a_file_claiming_huge_dimensions_is_refused_before_its_pixels_are_allocated() {
        // 20,000 x 20,000 RGBA would be 1.6 GB; 30,000 pixels wide is over the edge limit.
        for (width, height) in [(MAX_DECODED_EDGE, MAX_DECODED_EDGE), (30_000, 10)] {
            let bomb = png_claiming(width, height);
            assert!(
                matches!(decode(&bomb, MAX_EDGE), Err(ImageError::Limits(_))),
                "{width} x {height}: {:?}",
                decode(&bomb, MAX_EDGE).err()
            );
            assert_eq!(clean("photo", &bomb), Err(Invalid::new("photo", Rule::DamagedFile)));
        }
        // The same trick within the limits gets as far as the (missing) pixel data.
        assert!(matches!(
            decode(&png_claiming(100, 100), MAX_EDGE),
            Err(ImageError::Decoding(_))
        ));
    }

    #[test]
    fn a_thumbnail_is_a_small_jpeg_and_a_pdf_has_none() {
        let cleaned = clean("photo", &jpeg_with_exif(2048, 1536, 1, true)).unwrap();
        assert_eq!(dimensions(&cleaned.bytes), (2048, 1536));
        let small = thumbnail(&cleaned.bytes).unwrap().unwrap();
        assert_eq!(sniff(&small), Some(Kind::Jpeg));
        assert_eq!(dimensions(&small), (THUMBNAIL_EDGE, 240));

        assert_eq!(thumbnail(b"%PDF-1.7\n%%EOF\n"), Ok(None));
        assert_eq!(
            thumbnail(b"GIF89a"),
            Err(Invalid::new(THUMBNAIL_FIELD, Rule::NotAPhotoOrPdf))
        );

        // A small picture is not enlarged; a fully transparent corner shows white.
        let png = clean("scan", &encode_png(&DynamicImage::ImageRgba8(rgba(100, 50)))).unwrap();
        let small = plain(&thumbnail(&png.bytes).unwrap().unwrap());
        assert_eq!(small.dimensions(), (100, 50));
        let corner = small.to_rgb8().get_pixel(99, 49).0;
        assert!(corner.iter().all(|&c| c > 240), "{corner:?}");
    }

    /// `cargo test --release -p casebook --lib evidence::tests::timing -- --ignored --nocapture`
    #[test]
    #[ignore = "a timing, not a check"]
    fn timing_of_a_12_megapixel_photo() {
        // Noise on the gradient, so the JPEG is as hard to decode as a photo.
        let mut seed = 1u32;
        let mut picture = gradient(4000, 3000);
        for pixel in picture.pixels_mut() {
            for c in &mut pixel.0 {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *c = c.saturating_add((seed >> 28) as u8);
            }
        }
        let mut photo = Vec::new();
        JpegEncoder::new_with_quality(&mut photo, 92)
            .encode_image(&picture)
            .unwrap();
        let started = std::time::Instant::now();
        let cleaned = clean("photo", &photo).unwrap();
        let cleaning = started.elapsed();
        let started = std::time::Instant::now();
        let thumb = thumbnail(&cleaned.bytes).unwrap().unwrap();
        println!(
            "4000x3000 ({} KB) -> {:?} ({} KB) in {cleaning:?}; thumbnail in {:?}",
            photo.len() / 1024,
            dimensions(&cleaned.bytes),
            cleaned.bytes.len() / 1024,
            started.elapsed()
        );
        assert_eq!(dimensions(&cleaned.bytes), (2048, 1536));
        assert_eq!(dimensions(&thumb), (320, 240));
    }
}
