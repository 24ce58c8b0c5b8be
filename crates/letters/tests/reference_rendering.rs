//! Thai rendering checked against the reference. Every word of a corpus of hard Thai (stacked
//! marks, marks under ญ ฐ ฎ ฏ, sara am, long official names) is shaped by the crate and by
//! HarfBuzz through pango (`pango-view --serialize-to`, with fontconfig pointed at the bundled
//! font files only, so nothing of the system's can stand in), at the body size of letters:
//! glyph ids must be the same and every glyph drawn within `TOLERANCE` of where pango draws it.
//! The corpus is then typeset into a PDF and every word must extract exactly with pdftotext
//! (poppler) and with pdf.js (`ui/scripts/pdf-text.mjs`, the npm package the UI uses).
//!
//! Needs `pango-view` (pango1.0-tools), `pdftotext` (poppler-utils) and node with `ui/`'s
//! packages installed: `cargo xtask setup` brings all three.

mod common;

use common::{Scratch, pdftotext};
use letters::{Align, BODY_SIZE, Breaker, Font, Page, TextStyle, render, shape};
use rustybuzz::ttf_parser;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Synthetic words and official names (no person's name): what breaks naive Thai rendering.
const CORPUS: &[&str] = &[
    // Tone marks stacked over upper vowels, and over tall consonants (ป ฝ ฟ ฬ).
    "ที่",
    "ผู้ใหญ่",
    "ปู่",
    "ปี่",
    "ฝั่ง",
    "ฟ้า",
    "ฟื้นฟู",
    "พี่น้อง",
    "ชื่อ",
    "ลื่น",
    "อึ้ง",
    "ปั้น",
    "ปั๊ม",
    "ก๊ก",
    "จ๋า",
    "ติ๋ม",
    "เปิ่น",
    "ฬ่า",
    "ป็อป",
    "ปุ๋ย",
    "กุ้ง",
    "ตู้",
    "ญี่ปุ่น",
    "ศูนย์พึ่งได้",
    "ไม่",
    "เด็กหญิง",
    "ผู้เสียหาย",
    // Marks under ญ ฐ ฎ ฏ (the consonants whose tail a lower vowel replaces or avoids), ฤ ฦ.
    "กตัญญู",
    "ญุ่ม",
    "ญาติ",
    "ฐุ",
    "ฐู",
    "ฐานะ",
    "ฎุ",
    "ฎู",
    "ฎีกา",
    "กฎหมาย",
    "ฏุ",
    "ฏู",
    "ปฏิบัติ",
    "ปฏิกูล",
    "อุปัฏฐาก",
    "ฤดู",
    "ฦา",
    "ธุระ",
    "บัณฑิต",
    // Sara am, alone and under tone marks.
    "ทำ",
    "น้ำ",
    "กล้ำ",
    "ต่ำ",
    "ค่ำ",
    "ย้ำ",
    "ช้ำ",
    "ป่ำ",
    "ฟ้ำ",
    "ก๋ำ",
    "ขยำ",
    "ลำไย",
    "น้ำใจ",
    "สำนักงาน",
    // Long official names, dates and numbers as letters carry them.
    "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร",
    "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    "องค์การบริหารส่วนตำบลบ้านนาสมมุติ",
    "โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านสมมุติ",
    "สถานีตำรวจภูธรเมืองชุมพร",
    "ศาลเยาวชนและครอบครัวจังหวัดชุมพร",
    "สำนักงานอัยการจังหวัดชุมพร",
    "บ้านพักเด็กและครอบครัวจังหวัดชุมพร",
    "ปฏิบัติราชการแทนผู้ว่าราชการจังหวัดชุมพร",
    "รักษาราชการแทนผู้อำนวยการโรงพยาบาลสมมุติ",
    "พระราชบัญญัติคุ้มครองเด็ก พ.ศ. ๒๕๔๖",
    "ที่ ชพ ๐๐๓๓.๒/๑๒๓๔",
    "ศูนย์ช่วยเหลือสังคม สายด่วน ๑๓๐๐",
    "OSCC-2569 (ศูนย์พึ่งได้)",
];

/// How far a glyph may be drawn from where pango draws it, in pt. Pango keeps positions in
/// 1/1024 pt (at 72 dpi), rounded per glyph, so a long name's pen drifts by a few of those;
/// a glyph of the wrong variant or a mark not moved is off by tenths of a point or more.
const TOLERANCE: f32 = 0.02;

/// Where HarfBuzz decomposed sara am, the crate draws one of the font's sara am glyphs (see
/// `recompose`): its sara aa part must be where pango draws the sara aa (`TOLERANCE`), its ring
/// within this share of an em of pango's nikhahit (0.32 pt at body size, 0.1 mm on paper).
const RING_TOLERANCE_EM: f32 = 0.03;

const NIKHAHIT: char = '\u{0E4D}';
const SARA_AA: char = '\u{0E32}';
const SARA_AM: char = '\u{0E33}';

/// A glyph where it is drawn, relative to the start of its word on the baseline, in pt
/// (y up), and the pen's advance after it.
#[derive(Debug, Clone)]
struct Placed {
    gid: u32,
    x: f32,
    y: f32,
    advance: f32,
    /// For pango's sara aa of a decomposed sara am: where the left edge of its nikhahit is drawn.
    ring: Option<f32>,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn font_file(bold: bool) -> PathBuf {
    repo().join(if bold {
        "assets/fonts/Laksaman-Bold.ttf"
    } else {
        "assets/fonts/Laksaman.ttf"
    })
}

/// The crate's shaping of `word` at `size` pt.
fn ours(font: &Font, upem: f32, word: &str, size: f32) -> Vec<Placed> {
    let scale = size / upem;
    let mut pen = 0.0;
    shape(font, word)
        .iter()
        .map(|g| {
            let placed = Placed {
                gid: u32::from(g.gid),
                x: pen + g.x_offset as f32 * scale,
                y: g.y_offset as f32 * scale,
                advance: g.x_advance as f32 * scale,
                ring: None,
            };
            pen += placed.advance;
            placed
        })
        .collect()
}

/// A pango glyph with the text of its cluster, for undoing the sara am decomposition.
struct PangoGlyph {
    placed: Placed,
    cluster: String,
    cluster_start: usize,
}

/// Pango's shaping of each word (one paragraph each) and the size it really used (pango
/// keeps sizes in 1/1024 pt).
fn pango(words: &[&str], bold: bool, size: f32, scratch: &Scratch) -> (Vec<Vec<PangoGlyph>>, f32) {
    // Only the bundled fonts: the family could otherwise resolve to a system font.
    let fonts = font_file(bold).parent().unwrap().canonicalize().unwrap();
    let cache = scratch.0.join("fontconfig-cache");
    let config = scratch.write(
        "fonts.conf",
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n  <dir>{}</dir>\n  <cachedir>{}</cachedir>\n</fontconfig>\n",
            fonts.display(),
            cache.display()
        )
        .as_bytes(),
    );
    let text = scratch.write("words.txt", words.join("\n").as_bytes());
    let json = scratch.0.join(if bold { "bold.json" } else { "regular.json" });
    let description = format!("Laksaman{} {size}", if bold { " Bold" } else { "" });
    let out = Command::new("pango-view")
        .env("FONTCONFIG_FILE", &config)
        .args([
            "-q",
            "--dpi=72",
            "--language=th",
            "--hinting=none",
            "--hint-metrics=off",
            "--subpixel-positions",
            &format!("--font={description}"),
            &format!("--serialize-to={}", json.display()),
            text.to_str().unwrap(),
        ])
        .output()
        .unwrap_or_else(|e| panic!("pango-view (pango1.0-tools, `cargo xtask setup`): {e}"));
    assert!(
        out.status.success(),
        "pango-view: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let layout: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let all = layout["text"].as_str().unwrap();
    let output = &layout["output"];
    assert_eq!(output["unknown-glyphs"], 0, "pango found a character the font lacks");
    let mut used = None;
    let lines: Vec<Vec<PangoGlyph>> = output["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            let mut pen = 0.0;
            let mut glyphs = Vec::new();
            for run in line["runs"].as_array().unwrap() {
                let font = run["font"]["description"].as_str().unwrap();
                let (family, points) = font.rsplit_once(' ').unwrap();
                assert_eq!(family, if bold { "Laksaman Bold" } else { "Laksaman" }, "{font}");
                used = Some(points.parse::<f32>().unwrap());
                let offset = run["offset"].as_u64().unwrap() as usize;
                let run_text = &all[offset..offset + run["length"].as_u64().unwrap() as usize];
                let raw = run["glyphs"].as_array().unwrap();
                let starts: Vec<usize> = raw
                    .iter()
                    .map(|g| g["log-cluster"].as_u64().unwrap() as usize)
                    .collect();
                for (k, g) in raw.iter().enumerate() {
                    let units = |key: &str| g[key].as_f64().unwrap_or(0.0) as f32 / 1024.0;
                    let start = starts[k];
                    // The cluster runs to the next cluster's start, whichever side it is on.
                    let end = starts
                        .iter()
                        .copied()
                        .filter(|&s| s > start)
                        .min()
                        .unwrap_or(run_text.len());
                    glyphs.push(PangoGlyph {
                        placed: Placed {
                            gid: g["glyph"].as_u64().unwrap() as u32,
                            x: pen + units("x-offset"),
                            // Pango's y grows downwards.
                            y: -units("y-offset"),
                            advance: units("width"),
                            ring: None,
                        },
                        cluster: run_text[start..end].to_owned(),
                        cluster_start: offset + start,
                    });
                    pen += units("width");
                }
            }
            glyphs
        })
        .collect();
    assert_eq!(lines.len(), words.len(), "one line per word");
    (lines, used.unwrap())
}

/// HarfBuzz decomposes sara am into nikhahit + sara aa; the crate draws one of the font's own
/// sara am glyphs instead (the one whose ring is where HarfBuzz put the nikhahit), so that the
/// text extracts as written in readers that ignore /ActualText (shape.rs, `recompose_sara_am`).
/// Pango's pair becomes its sara aa, noting where the nikhahit's left edge was drawn.
fn recompose(glyphs: Vec<PangoGlyph>, face: &ttf_parser::Face<'_>, scale: f32) -> Vec<Placed> {
    let gid = |c: char| face.glyph_index(c).unwrap();
    let (nikhahit, sara_aa) = (gid(NIKHAHIT), gid(SARA_AA));
    let ring_left = face.glyph_bounding_box(nikhahit).unwrap().x_min as f32 * scale;
    let mut drop = Vec::new();
    let mut rings = Vec::new();
    for (i, g) in glyphs.iter().enumerate() {
        if g.placed.gid != u32::from(nikhahit.0) || !g.cluster.contains(SARA_AM) || g.placed.advance != 0.0 {
            continue;
        }
        // The sara aa of the same cluster; tone marks may sit in between.
        let aa = (i + 1..glyphs.len().min(i + 4))
            .find(|&j| glyphs[j].placed.gid == u32::from(sara_aa.0) && glyphs[j].cluster_start == g.cluster_start);
        if let Some(j) = aa {
            drop.push(i);
            rings.push((j, g.placed.x + ring_left));
        }
    }
    glyphs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(j, g)| Placed {
            ring: rings.iter().find(|(k, _)| *k == j).map(|(_, x)| *x),
            ..g.placed
        })
        .collect()
}

/// The font's sara am glyphs: the nominal one and its variants (`uni0E33.*`).
fn is_sara_am(face: &ttf_parser::Face<'_>, gid: u32) -> bool {
    let name = u16::try_from(gid)
        .ok()
        .and_then(|g| face.glyph_name(ttf_parser::GlyphId(g)));
    name.is_some_and(|n| n == "uni0E33" || n.starts_with("uni0E33."))
}

#[test]
fn each_sara_am_glyph_is_a_nikhahit_and_the_sara_aa() {
    // What `recompose` takes for granted: a sara am glyph draws the sara aa where sara aa is,
    // and a ring the nikhahit's size at its left edge.
    for bold in [false, true] {
        let bytes = std::fs::read(font_file(bold)).unwrap();
        let face = ttf_parser::Face::parse(&bytes, 0).unwrap();
        let glyph = |c: char| face.glyph_index(c).unwrap();
        let (ring, aa) = (
            face.glyph_bounding_box(glyph(NIKHAHIT)).unwrap(),
            face.glyph_bounding_box(glyph(SARA_AA)).unwrap(),
        );
        let glyphs: Vec<_> = (0..face.number_of_glyphs())
            .filter(|&g| is_sara_am(&face, u32::from(g)))
            .map(ttf_parser::GlyphId)
            .collect();
        assert!(glyphs.contains(&glyph(SARA_AM)));
        for g in glyphs {
            let am = face.glyph_bounding_box(g).unwrap();
            let expected = (
                am.x_min,
                ring.y_min.min(aa.y_min),
                am.x_min + ring.width(),
                aa.x_max,
                ring.y_max.max(aa.y_max),
            );
            let got = (am.x_min, am.y_min, expected.2, am.x_max, am.y_max);
            // A few font units (of 1,000 an em) of outline rounding.
            let close = |a: i16, b: i16| (a - b).abs() <= 5;
            assert!(
                close(expected.1, got.1) && close(expected.3, got.3) && close(expected.4, got.4),
                "bold {bold}, glyph {g:?}: {got:?} vs {expected:?}"
            );
            assert_eq!(face.glyph_hor_advance(glyph(SARA_AA)), face.glyph_hor_advance(g));
        }
    }
}

#[test]
fn every_word_is_shaped_as_harfbuzz_through_pango_shapes_it() {
    let started = std::time::Instant::now();
    let scratch = Scratch::new("pango");
    let mut report = Vec::new();
    let mut largest: (f32, &str) = (0.0, "");
    let mut largest_ring: (f32, &str) = (0.0, "");
    let mut glyphs = 0;
    for bold in [false, true] {
        let bytes = std::fs::read(font_file(bold)).unwrap();
        let face = ttf_parser::Face::parse(&bytes, 0).unwrap();
        let upem = f32::from(face.units_per_em());
        let font = if bold { Font::laksaman_bold() } else { Font::laksaman() }.unwrap();
        let (reference, size) = pango(CORPUS, bold, BODY_SIZE, &scratch);
        // Pango rounds the size to 1/1024 pt: both are compared at the size it used.
        assert!((size - BODY_SIZE).abs() < 0.001, "pango used {size} pt");
        let scale = size / upem;
        for (word, theirs) in CORPUS.iter().zip(reference) {
            let theirs = recompose(theirs, &face, scale);
            let mine = ours(&font, upem, word, size);
            glyphs += mine.len();
            let same_glyphs = mine.len() == theirs.len()
                && mine.iter().zip(&theirs).all(|(a, b)| match b.ring {
                    Some(_) => is_sara_am(&face, a.gid),
                    None => a.gid == b.gid,
                });
            if !same_glyphs {
                let ids = |p: &[Placed]| p.iter().map(|g| g.gid).collect::<Vec<_>>();
                report.push(format!(
                    "{word} (bold {bold}): glyphs {:?}, pango {:?}",
                    ids(&mine),
                    ids(&theirs)
                ));
                continue;
            }
            let (mut pen_mine, mut pen_theirs) = (0.0, 0.0);
            for (k, (a, b)) in mine.iter().zip(&theirs).enumerate() {
                pen_mine += a.advance;
                pen_theirs += b.advance;
                for (what, d) in [("x", a.x - b.x), ("y", a.y - b.y), ("pen", pen_mine - pen_theirs)] {
                    if d.abs() > largest.0 {
                        largest = (d.abs(), word);
                    }
                    if d.abs() > TOLERANCE {
                        report.push(format!(
                            "{word} (bold {bold}): glyph {k} ({}) {what} off by {d:.4} pt",
                            a.gid
                        ));
                    }
                }
                if let Some(theirs_ring) = b.ring {
                    let left = face
                        .glyph_bounding_box(ttf_parser::GlyphId(a.gid as u16))
                        .unwrap()
                        .x_min;
                    let d = a.x + f32::from(left) * scale - theirs_ring;
                    if d.abs() > largest_ring.0 {
                        largest_ring = (d.abs(), word);
                    }
                    if d.abs() > RING_TOLERANCE_EM * size {
                        report.push(format!("{word} (bold {bold}): the sara am's ring off by {d:.4} pt"));
                    }
                }
            }
        }
    }
    eprintln!(
        "{} words, {glyphs} glyphs, regular and bold at {BODY_SIZE} pt: largest difference {:.4} pt ({}), tolerance {TOLERANCE} pt; sara am ring {:.4} pt ({}); {:.2} s",
        CORPUS.len(),
        largest.0,
        largest.1,
        largest_ring.0,
        largest_ring.1,
        started.elapsed().as_secs_f32()
    );
    assert!(
        report.is_empty(),
        "differs from HarfBuzz through pango:\n{}",
        report.join("\n")
    );
}

/// The corpus typeset one word a line, in regular then in bold, as many pages as it takes.
fn corpus_pdf() -> Vec<u8> {
    let (regular, bold) = (Font::laksaman().unwrap(), Font::laksaman_bold().unwrap());
    let breaker = Breaker::default();
    let mut pages = Vec::new();
    for style in [TextStyle::regular(BODY_SIZE), TextStyle::bold(BODY_SIZE)] {
        for chunk in CORPUS.chunks(30) {
            let mut page = Page::new(&regular, &bold, &breaker);
            let mut y = 800.0;
            for word in chunk {
                let set = page.set(word, style, 450.0, 0.0, Align::Left);
                assert_eq!(set.lines.len(), 1, "{word} fits one line");
                y = page.draw(&set, 0..1, 72.0, y);
            }
            pages.push(page);
        }
    }
    render("reference corpus", &regular, &bold, pages)
}

fn expected_lines() -> Vec<&'static str> {
    CORPUS.iter().chain(CORPUS).copied().collect()
}

/// The words that did not read back as written, each with what was read instead.
fn misread(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}'))
        .filter(|l| !l.is_empty())
        .collect();
    let expected = expected_lines();
    assert_eq!(lines.len(), expected.len(), "one line a word: {lines:?}");
    expected
        .iter()
        .zip(lines)
        .filter(|(word, line)| word != &line)
        .map(|(word, line)| {
            format!(
                "{word} read as {line} {:?}",
                line.chars().map(|c| format!("{:04X}", c as u32)).collect::<Vec<_>>()
            )
        })
        .collect()
}

#[test]
fn every_word_extracts_exactly_with_pdftotext() {
    let wrong = misread(&pdftotext(&corpus_pdf()));
    assert!(wrong.is_empty(), "pdftotext:\n{}", wrong.join("\n"));
}

#[test]
fn every_word_extracts_exactly_with_pdf_js() {
    let scratch = Scratch::new("pdfjs");
    let pdf = scratch.write("corpus.pdf", &corpus_pdf());
    let script = repo().join("ui/scripts/pdf-text.mjs");
    let out = Command::new("node")
        .arg(&script)
        .arg(&pdf)
        .output()
        .unwrap_or_else(|e| panic!("node (Node.js 20.19+): {e}"));
    assert!(
        out.status.success(),
        "{} (are ui/'s packages installed? `cargo xtask setup`): {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let wrong = misread(&String::from_utf8(out.stdout).unwrap());
    assert!(wrong.is_empty(), "pdf.js:\n{}", wrong.join("\n"));
}
