//! *Print* beside a document, through the real window on a 1366×768 screen: the case summary
//! (long enough for several pages) is drawn by pdf.js inside the app, one A4 image per page of
//! the PDF, each with ink on it, before the system's print dialog opens; closing the document
//! takes the images away. The native dialog itself is not the page's: WebDriver cannot press
//! its buttons, so the test reads what the page put in front of it. A scanned PDF kept as it
//! came has no Print: pdf.js never reads a file from outside in the app's window.

mod common;

use casebook::Role;
use casebook::records::person::{IdKind, PersonInput, Sex};
use casebook::records::timeline::EntryKind;
use common::unit_book;
use oscc_e2e::{App, Result, TempDir};
use std::time::{Duration, Instant};

const PASS: &str = "นักสังคม-passphrase-7";

/// The pages of a PDF as poppler counts them.
fn pdf_pages(path: &str) -> Result<usize> {
    let out = std::process::Command::new("pdfinfo").arg(path.trim()).output()?;
    let info = String::from_utf8_lossy(&out.stdout);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .ok_or("pdfinfo: no page count")?;
    Ok(pages.trim().parse()?)
}

/// What the page prepared for the printer: the document it names, the pages it marked ready,
/// and each image's size and share of dark pixels.
const PREPARED: &str = r#"
const root = document.querySelector("[data-testid=print-pages]");
if (!root || !root.hasAttribute("data-pages")) return null;
const images = [...root.querySelectorAll("img")].map((img) => {
  const c = document.createElement("canvas");
  c.width = 200; c.height = Math.round(200 * img.naturalHeight / img.naturalWidth);
  const g = c.getContext("2d");
  g.drawImage(img, 0, 0, c.width, c.height);
  const px = g.getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 128) ink++;
  return { width: img.naturalWidth, height: img.naturalHeight, ink: ink / (px.length / 4) };
});
return { document: root.getAttribute("data-document"), pages: Number(root.getAttribute("data-pages")), images };
"#;

/// Notes each window.print() call with the number of page images ready for the printer.
const NOTE_PRINT_CALLS: &str = r#"
window.__printCalls = [];
const print = window.print.bind(window);
window.print = () => {
  const root = document.querySelector(".print-pages[data-pages]");
  const shown = root && getComputedStyle(root.parentElement).display !== "none";
  window.__printCalls.push(shown ? root.querySelectorAll("img").length : -1);
  print();
};
"#;

#[tokio::test]
async fn print_draws_every_page_of_the_document_for_the_dialog() -> Result<()> {
    let data = TempDir::new("printing")?;
    {
        let (mut book, worker, _) = unit_book(data.path(), "malee", "มาลี นักสังคม", Role::SocialWorker, PASS)?;
        let (person, _) = book.create_person(
            &worker,
            &PersonInput {
                name_th: Some("เด็กหญิงพิมพ์ ทดสอบ".into()),
                id_kind: Some(IdKind::None),
                sex: Some(Sex::Female),
                estimated_age: Some(12),
                ..PersonInput::default()
            },
        )?;
        let case = book.create_case(&worker, &casebook::synth::walk_in_case(&person))?;
        // A partner's letter scanned as a PDF (here one the letters crate makes).
        let scan = letters::Typesetter::laksaman()?.official_letter(&letters::specimen_letter(false));
        book.add_timeline_entry_with_files(
            &worker,
            &case.id,
            EntryKind::Note,
            "หนังสือตอบกลับจากหน่วยงาน (สแกน)",
            &casebook::dates::now_iso(),
            &[scan],
        )?;
        // Enough notes that the summary goes on to further pages.
        for n in 1..=24 {
            book.add_timeline_entry(
                &worker,
                &case.id,
                EntryKind::Note,
                &format!(
                    "บันทึกที่ {n}: โทรติดตามผู้ปกครอง นัดหมายเยี่ยมบ้านและประสานครูประจำชั้น \
                     ผู้รับบริการไปโรงเรียนได้ตามปกติ ทีมสหวิชาชีพจะประเมินความเสี่ยงอีกครั้งในสัปดาห์หน้า"
                ),
                &casebook::dates::now_iso(),
            )?;
        }
    }
    let app = App::launch("printing", data.path()).await?;
    let outcome = async {
        app.client.set_window_rect(0, 0, 1366, 768).await?;
        app.sign_in("malee", PASS).await?;
        app.click("[data-testid=nav-cases]").await?;
        app.click("[data-testid=case-row]").await?;
        app.click("[data-testid=tab-documents]").await?;
        app.click("[data-testid=summary-masked]").await?;
        let path = app.wait_for_text("[data-testid=summary-path]", "masked.pdf").await?;
        let pages = pdf_pages(&path)?;
        assert!(pages >= 2, "the summary has {pages} page(s): the test wants several");
        // Nothing is prepared before Print is pressed: what is read below is this print's.
        let before = app.client.execute(PREPARED, vec![]).await?;
        assert!(before.is_null(), "pages prepared before printing: {before}");

        // The dialog opens on what is ready when window.print() is called: the call is noted
        // with what the page held at that moment. (Under WebDriver, WebKitGTK opens no dialog
        // and window.print() returns at once, so the session never waits on it.)
        app.client.execute(NOTE_PRINT_CALLS, vec![]).await?;
        app.click("[data-testid=export-print]").await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        let prepared = loop {
            let seen = app.client.execute(PREPARED, vec![]).await?;
            if !seen.is_null() {
                break seen;
            }
            if Instant::now() > deadline {
                return Err("the pages for printing were never ready".into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let calls = app.client.execute("return window.__printCalls;", vec![]).await?;
        assert_eq!(
            calls,
            serde_json::json!([pages]),
            "window.print() once, with every page ready"
        );
        assert_eq!(prepared["document"].as_str(), Some(path.trim()), "{prepared}");
        assert_eq!(prepared["pages"].as_u64(), Some(pages as u64), "{prepared}");
        let images = prepared["images"].as_array().ok_or("no images")?;
        assert_eq!(images.len(), pages, "one image per page: {prepared}");
        for image in images {
            let (w, h) = (
                image["width"].as_f64().unwrap_or(0.0),
                image["height"].as_f64().unwrap_or(1.0),
            );
            assert!(((w / h) - 210.0 / 297.0).abs() < 0.005, "A4 proportions: {image}");
            // 200 dpi: an A4 page is 1654 pixels wide.
            assert!(w >= 1600.0, "sharp enough to print: {image}");
            let ink = image["ink"].as_f64().unwrap_or(0.0);
            assert!(ink > 0.002 && ink < 0.5, "a page with text on white: {image}");
        }
        app.screenshot("1-print-prepared").await?;

        // Closing the document takes the images with it.
        app.click("[data-testid=export-close]").await?;
        let gone = app
            .client
            .execute(
                "return document.querySelector('[data-testid=print-pages]') === null;",
                vec![],
            )
            .await?;
        assert_eq!(gone.as_bool(), Some(true), "the page images stay after closing");

        // The scan opens in the system's viewer, with no Print of the app's own.
        app.click("[data-testid=tab-timeline]").await?;
        app.click("[data-testid=photo-count]").await?;
        app.click("[data-testid=entry-file]").await?;
        app.wait_for_text("[data-testid=attachment-path]", "attachment-")
            .await?;
        let print_offered = app
            .client
            .execute(
                "return document.querySelector('[data-testid=attachment-path]')\
                   .parentElement.querySelector('[data-testid=export-print]') !== null;",
                vec![],
            )
            .await?;
        assert_eq!(
            print_offered.as_bool(),
            Some(false),
            "Print offered for a scan from outside"
        );
        Ok(())
    }
    .await;
    app.finish(outcome).await
}
