// Reads a JSON list of Mermaid charts on standard input and writes, for each, {"ok": true, "type": ...} or
// {"ok": false, "error": ...}: what Mermaid's own parser says of it. Mermaid wants a DOM (for its sanitizer),
// which jsdom gives; nothing is drawn, so no browser is needed.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const verdicts = [];
for (const chart of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(chart);
    verdicts.push({ ok: true, type: parsed.diagramType });
  } catch (e) {
    verdicts.push({ ok: false, error: String((e && e.message) || e) });
  }
}
process.stdout.write(JSON.stringify(verdicts) + "\n");
