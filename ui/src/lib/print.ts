// Printing a document the app wrote (a letter, a form, a summary) straight from the page: its
// pages drawn by pdf.js into images that only the printer sees, then the system's print dialog.
// The bytes come from the app's private folder through the shell (read_export) and go nowhere
// else: no file is written, nothing is fetched.
import { api } from "./api";

/** Page images at 200 dpi: sharp on paper; an A4 canvas is 1654 × 2339, about 15 MB. */
const DPI = 200;
/**
 * How long the page images stay after the dialog returned. WebKitGTK draws the pages for the
 * printer after window.print() returns, so they cannot go at once; the next print, closing
 * the document and locking (the page is cleared) take them away sooner.
 */
const KEEP_MS = 60_000;

interface Printed {
  root: HTMLElement;
  urls: string[];
  pageRule: CSSRule | null;
  timer?: ReturnType<typeof setTimeout>;
}

let current: Printed | null = null;

function revoke(printed: Printed): void {
  for (const url of printed.urls) URL.revokeObjectURL(url);
  printed.urls = [];
}

/** Removes the page images of the last print and gives their memory back. */
export function freePrintPages(): void {
  const done = current;
  if (!done) return;
  current = null;
  clearTimeout(done.timer);
  revoke(done);
  done.root.remove();
  document.documentElement.classList.remove("printing-document");
  removeRule(done.pageRule);
}

/**
 * Draws every page of the document at `path` and opens the print dialog with them. Resolves
 * with the number of pages once the dialog has returned.
 */
export async function printDocument(path: string, print: () => void = () => window.print()): Promise<number> {
  freePrintPages();
  const bytes = await api.readExport(path);
  // Loaded on first use only: pdf.js is large and most sessions print nothing.
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  const worker = await import("pdfjs-dist/legacy/build/pdf.worker.min.mjs?url");
  pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
  const root = document.createElement("div");
  root.className = "print-pages";
  root.setAttribute("data-testid", "print-pages");
  root.setAttribute("data-document", path);
  const printed: Printed = { root, urls: [], pageRule: null };
  current = printed;
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false });
  try {
    const doc = await task.promise;
    for (let n = 1; n <= doc.numPages && current === printed; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: DPI / 72 });
      const canvas = document.createElement("canvas");
      canvas.width = Math.ceil(viewport.width);
      canvas.height = Math.ceil(viewport.height);
      await page.render({ canvas, viewport }).promise;
      const blob = await new Promise<Blob | null>((done) => canvas.toBlob(done, "image/png"));
      // One canvas at a time: its bitmap goes as soon as the page is an image.
      canvas.width = 0;
      canvas.height = 0;
      page.cleanup();
      if (!blob) throw new Error("a page could not be drawn");
      const url = URL.createObjectURL(blob);
      printed.urls.push(url);
      const img = new Image();
      img.className = "print-page";
      img.alt = "";
      img.src = url;
      await img.decode();
      root.append(img);
    }
  } catch (err) {
    if (current === printed) freePrintPages();
    else revoke(printed);
    throw err;
  } finally {
    // The document, its worker and their memory.
    await task.destroy();
  }
  if (current !== printed) {
    // A newer print, a close or the lock took over while the pages were drawn: what was drawn
    // goes too.
    revoke(printed);
    return 0;
  }
  document.body.append(root);
  document.documentElement.classList.add("printing-document");
  printed.pageRule = addRule("@page { size: A4; margin: 0; }");
  // Ready: the tests read this mark (the native dialog cannot be driven through WebDriver).
  root.setAttribute("data-pages", String(printed.urls.length));
  print();
  printed.timer = setTimeout(() => {
    if (current === printed) freePrintPages();
  }, KEEP_MS);
  return printed.urls.length;
}

// The page box of the printed document is the whole A4 sheet (the images carry the margins),
// only while it prints: the app's other printing (the recovery sheet) keeps its own. Added
// through the CSS object model, which the content security policy allows, unlike a <style>.
function addRule(rule: string): CSSRule | null {
  const sheet = [...document.styleSheets].find((s) => {
    try {
      return s.cssRules !== null;
    } catch {
      return false;
    }
  });
  if (!sheet) return null;
  return sheet.cssRules[sheet.insertRule(rule, sheet.cssRules.length)] ?? null;
}

function removeRule(rule: CSSRule | null): void {
  const sheet = rule?.parentStyleSheet;
  if (!sheet) return;
  const at = [...sheet.cssRules].indexOf(rule);
  if (at >= 0) sheet.deleteRule(at);
}
