// Prints the text of a PDF as pdf.js extracts it, one line of the page per line of output and
// a form feed between pages, as pdftotext does: `node scripts/pdf-text.mjs file.pdf`. The
// letters crate's reference test runs it to check that every word reads back exactly in the
// reader most browsers and many viewers are built on, not only in poppler.
import { readFile } from "node:fs/promises";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node scripts/pdf-text.mjs FILE.pdf");
  process.exit(2);
}
const data = new Uint8Array(await readFile(file));
const pdf = await getDocument({ data, useSystemFonts: false, isEvalSupported: false }).promise;
const pages = [];
for (let n = 1; n <= pdf.numPages; n++) {
  const page = await pdf.getPage(n);
  const content = await page.getTextContent();
  // Items in the order the page writes them; a new line where pdf.js marks one or the
  // baseline moves.
  const lines = [];
  let line = "";
  let baseline = null;
  for (const item of content.items) {
    if (!("str" in item)) continue;
    const y = item.transform[5];
    if (baseline !== null && Math.abs(y - baseline) > 2 && line !== "") {
      lines.push(line);
      line = "";
    }
    line += item.str;
    baseline = y;
    if (item.hasEOL && line !== "") {
      lines.push(line);
      line = "";
      baseline = null;
    }
  }
  if (line !== "") lines.push(line);
  pages.push(lines.join("\n"));
  page.cleanup();
}
await pdf.destroy();
process.stdout.write(pages.join("\n\f") + "\n");
