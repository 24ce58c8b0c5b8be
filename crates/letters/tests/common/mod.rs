//! What the tests read back from a PDF with poppler's tools (installed by `cargo xtask setup`).

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A folder of its own: tests in one process run in parallel.
    pub fn new(name: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("letters-test-{}-{name}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} (poppler-utils): {e}"));
    assert!(out.status.success(), "{program} failed");
    String::from_utf8(out.stdout).unwrap()
}

pub fn pdftotext(pdf: &[u8]) -> String {
    let scratch = Scratch::new("text");
    let path = scratch.write("doc.pdf", pdf);
    run("pdftotext", &["-enc", "UTF-8", path.to_str().unwrap(), "-"])
}

/// A text line as poppler sees it: page (from 1), left and right edge and top and bottom in pt
/// (from the top of the page), and its words.
#[derive(Debug)]
pub struct TextLine {
    pub page: usize,
    pub x_min: f32,
    pub x_max: f32,
    pub y_min: f32,
    pub y_max: f32,
    pub text: String,
}

pub fn lines(pdf: &[u8]) -> Vec<TextLine> {
    let scratch = Scratch::new("bbox");
    let path = scratch.write("doc.pdf", pdf);
    let xml = run(
        "pdftotext",
        &["-enc", "UTF-8", "-bbox-layout", path.to_str().unwrap(), "-"],
    );
    let attr = |tag: &str, name: &str| -> f32 {
        let key = format!("{name}=\"");
        let start = tag.find(&key).unwrap() + key.len();
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    xml.split("<page ")
        .skip(1)
        .enumerate()
        .flat_map(|(page, xml)| xml.split("<line ").skip(1).map(move |block| (page + 1, block)))
        .map(|(page, block)| {
            let head = block.split('>').next().unwrap();
            let text: Vec<&str> = block
                .split("<word ")
                .skip(1)
                .filter_map(|w| {
                    w.split_once('>')
                        .map(|(_, rest)| rest.split("</word>").next().unwrap_or(""))
                })
                .collect();
            TextLine {
                page,
                x_min: attr(head, "xMin"),
                x_max: attr(head, "xMax"),
                y_min: attr(head, "yMin"),
                y_max: attr(head, "yMax"),
                text: text.join(" "),
            }
        })
        .collect()
}

/// A greyscale page as pdftoppm renders it.
pub struct Gray {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
    pub pgm: Vec<u8>,
}

impl Gray {
    /// Reads binary PGM ("P5"), the format `pdftoppm -gray` writes.
    pub fn parse(pgm: &[u8]) -> Gray {
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while pgm[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !pgm[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
        }
        assert_eq!(fields[0], "P5");
        let (width, height): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
        let pixels = pgm[at + 1..].to_vec();
        assert_eq!(pixels.len(), width * height);
        Gray {
            width,
            height,
            pixels,
            pgm: pgm.to_vec(),
        }
    }
}

pub fn render_gray(pdf: &[u8], dpi: u32) -> Gray {
    let scratch = Scratch::new("render");
    let path = scratch.write("doc.pdf", pdf);
    let out = scratch.0.join("page");
    run(
        "pdftoppm",
        &[
            "-gray",
            "-r",
            &dpi.to_string(),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            path.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    Gray::parse(&std::fs::read(scratch.0.join("page.pgm")).unwrap())
}
