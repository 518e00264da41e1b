// The frame of every report page: one self-contained HTML document (no external files or scripts)
// with the shared style sheet; the title is escaped here, the body comes escaped from its builders.
import { esc } from './text.ts';

const CSS = `body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1180px}
h1{font-size:22px;margin:0 0 8px} h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #e4e4e4;padding-bottom:3px} h3{font-size:14px;margin:8px 0}
table{border-collapse:collapse;margin:8px 0} td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
thead th{background:#f4f4f4;vertical-align:top} tbody th{text-align:left;font-weight:normal}
td.bad{color:#b00} td.good{color:#070} .note{color:#8a5a00;font-weight:normal} .notes{color:#555;font-size:12px;margin:4px 0}
.invalid{color:#b00;font-style:italic} .swatch{display:inline-block;width:10px;height:10px;margin-right:6px}
ul.runs{padding-left:18px} ul.runs li{margin:3px 0}
.charts{display:flex;flex-wrap:wrap;gap:12px} .chart,.panel{background:#fff;overflow:visible}
svg text{font-size:11px;fill:#333} svg .title{font-size:13px;font-weight:600}
svg .grid{stroke:#e6e6e6} svg .minor{stroke:#f3f3f3} svg .axis{stroke:#999}
.hgrid{display:grid;grid-template-columns:repeat(3,380px);gap:4px 12px;margin-top:8px}
.hhead{font-weight:600;text-align:center;font-size:13px} .hhead small{font-weight:normal;color:#666}
.hrow{grid-column:1/-1;font-weight:600;border-left:4px solid;padding-left:6px;margin-top:6px}
.yscale input{margin-left:10px} .yscale .ylin{display:none}
#ttft-y-lin:checked~.ylin{display:block} #ttft-y-lin:checked~.ylog{display:none}
.routings{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start} .routing details summary{cursor:pointer;margin:6px 0}
table.ranks td,table.ranks th{font-size:12px;padding:2px 6px}
td.bar{background:linear-gradient(to right,#dbe9f6 var(--w),transparent var(--w))}`;

/** A complete page: doctype, head with `title` and the style sheet, then `body`. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
${CSS}
</style></head><body>
<h1>${esc(title)}</h1>
${body}
</body></html>
`;
}
