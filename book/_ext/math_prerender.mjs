// Typeset TeX into MathJax CommonHTML at build time, so that the site ships no MathJax script.
//
// Reads JSON from stdin: {"fontURL": "...", "items": [[tex, display], ...]} and writes JSON to
// stdout: {"html": ["<mjx-container ...>", ...], "css": "...", "errors": [[index, message], ...]}.
// Every item goes into one MathDocument, so the stylesheet covers exactly the characters the whole
// site uses (one cached file). Each container carries assistive MathML for screen readers.
import {createRequire} from "node:module";
const require = createRequire(import.meta.url);

const {mathjax} = require("mathjax-full/js/mathjax.js");
const {TeX} = require("mathjax-full/js/input/tex.js");
const {CHTML} = require("mathjax-full/js/output/chtml.js");
const {liteAdaptor} = require("mathjax-full/js/adaptors/liteAdaptor.js");
const {RegisterHTMLHandler} = require("mathjax-full/js/handlers/html.js");
const {AssistiveMmlHandler} = require("mathjax-full/js/a11y/assistive-mml.js");
const {AllPackages} = require("mathjax-full/js/input/tex/AllPackages.js");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));
// noerrors/noundefined off: a TeX error becomes an merror node that the site checks catch
const packages = AllPackages.filter((p) => p !== "noerrors" && p !== "noundefined" && p !== "bussproofs");
const tex = new TeX({packages, tags: "none"});
const chtml = new CHTML({fontURL: request.fontURL, adaptiveCSS: true});
const html = mathjax.document("", {InputJax: tex, OutputJax: chtml});

// The page's text: 16 px with an x-height of half an em (MathJax measures this in a browser and
// scales its fonts to match, 113.1 %; here the same scale is given).
const em = 16, ex = 8;
const scale = ex / chtml.font.params.x_height / em;
const out = [];
const errors = [];
request.items.forEach(([source, display], i) => {
  try {
    const node = html.convert(source, {display, em, ex, scale, containerWidth: 80 * em});
    out.push(adaptor.outerHTML(node));
  } catch (err) {
    errors.push([i, String(err && err.message || err)]);
    out.push("");
  }
});
const css = adaptor.textContent(chtml.styleSheet(html));
process.stdout.write(JSON.stringify({html: out, css, errors}));
