// Typeset TeX into MathML at build time, so that the site ships no math script: the browser lays
// the formulas out itself (MathML Core, in every current browser), in one math font.
//
// Reads JSON from stdin: {"items": [[tex, display], ...]} and writes JSON to stdout:
// {"html": ["<math ...>", ...], "errors": [[index, message], ...]}. temml turns TeX into MathML
// Core: \mathbb, \mathcal and the like become their Unicode letters (browsers do not draw
// mathvariant), spacing and alignment come from attributes and temml's stylesheet.
import {createRequire} from "node:module";
const require = createRequire(import.meta.url);
const temml = require("temml");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const out = [];
const errors = [];
// Equations are not numbered (the book refers to none by number, and MathJax, before, was run
// with tags: "none"): align, alignat, flalign, equation, gather and multline are typeset as their
// starred forms (a number would come as a <span> inside the MathML).
const UNNUMBERED = /\\(begin|end)\{(align|alignat|flalign|equation|gather|multline)\}/g;

request.items.forEach(([tex, display], i) => {
  const source = tex.replace(UNNUMBERED, "\\$1{$2*}");
  try {
    // throwOnError: an unknown command or a TeX error fails loudly (the build warns, -W fails it)
    out.push(temml.renderToString(source, {displayMode: display, throwOnError: true, annotate: false}));
  } catch (err) {
    errors.push([i, String(err && err.message || err)]);
    out.push("");
  }
});
process.stdout.write(JSON.stringify({html: out, errors}));
