// The stylesheet of report.html, inline so the page needs nothing but itself (file://, e-mail attachments).
export const CHAIN_HTML_STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #c9cfdb; --ok: #2e7d32; --warn: #b26a00; --bad: #c62828; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f7fa; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 16px; margin: 28px 0 10px; }
h3 { font-size: 14px; margin: 4px 0 6px; overflow-wrap: anywhere; }
.meta, small, .hash, .dates { color: var(--muted); }
code, .hash { font: 12px ui-monospace, "SFMono-Regular", Menlo, monospace; overflow-wrap: anywhere; }
.summary { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 6px; padding: 12px 16px; margin-top: 14px; }
.summary.fail { border-left-color: var(--bad); }
.summary dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 8px 0 0; }
.summary dt { font-weight: 600; }
.summary dd { margin: 0; overflow-wrap: anywhere; }
.problem { display: inline-block; font-weight: 700; letter-spacing: .03em; padding: 2px 8px; border-radius: 4px; background: var(--ok); color: #fff; }
.fail .problem { background: var(--bad); }
.columns { display: grid; grid-template-columns: minmax(260px, 1.2fr) 3fr; gap: 16px; align-items: start; }
.stores { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; align-items: start; }
@media (max-width: 760px) { .columns { grid-template-columns: 1fr; } }
.column { background: #eef1f6; border-radius: 8px; padding: 10px; }
.column > h2 { margin: 0 0 8px; font-size: 15px; overflow-wrap: anywhere; }
.column > h2 .verdict { display: block; font-size: 12px; }
.column > p { margin: 0 0 8px; color: var(--muted); }
.cert, .step, .anchor, .gap, .unset { background: #fff; border: 2px solid #46506a; border-radius: 6px; padding: 8px 10px; overflow-wrap: anywhere; }
.cert.off-path { border-color: #9aa3b5; opacity: .85; }
.cert header { display: flex; gap: 6px; flex-wrap: wrap; }
.cert dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; margin: 0 0 6px; }
.cert dt { color: var(--muted); }
.cert dd { margin: 0; }
.step small { display: block; }
.anchor { border-color: var(--ok); background: #f0f8f0; }
.gap { border: 2px dashed var(--bad); background: #fff5f5; }
.gap p { margin: 6px 0 0; }
.unset { border-style: dotted; border-color: #9aa3b5; color: var(--muted); text-align: center; }
.link { text-align: center; color: var(--muted); font-size: 12px; margin: 2px 0; }
.tag { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 3px; background: #e3e7ef; color: var(--ink); }
.tag.ok { background: #dcefdc; color: #1b5e20; }
.tag.bad { background: #fbe0e0; color: #8e1b1b; }
.tag.warn { background: #fdf0d5; color: #7a4a00; }
.validity .bar { height: 8px; background: #e3e7ef; border-radius: 4px; overflow: hidden; }
.validity .bar span { display: block; height: 100%; background: var(--ok); }
.validity.ending .bar span { background: var(--warn); }
.validity.expired .bar span, .validity.not-yet-valid .bar span { background: var(--bad); }
.validity .dates { display: flex; justify-content: space-between; font-size: 12px; margin-top: 2px; }
.validity.expired strong, .validity.not-yet-valid strong, small.expired, small.not-yet-valid { color: var(--bad); }
.validity.ending strong, small.ending { color: var(--warn); }
.verdict { font-weight: 600; }
.verdict.ok { color: var(--ok); }
.verdict.bad { color: var(--bad); }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; vertical-align: top; border: 1px solid var(--line); padding: 6px 8px; overflow-wrap: anywhere; }
th { background: #eef1f6; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
`;
