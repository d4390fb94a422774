// Admin: the status page's inline stylesheet (no external assets). Healthy green, stale amber, failing red,
// loading grey; the same classes colour partner rows, pills and certificate expiry.
export const STATUS_CSS = `
:root { --ok: #1a7f37; --ok-bg: #dafbe1; --warn: #9a6700; --warn-bg: #fff8c5; --bad: #cf222e; --bad-bg: #ffebe9;
  --idle: #57606a; --idle-bg: #eaeef2; --line: #d0d7de; --ink: #1f2328; --muted: #656d76; }
* { box-sizing: border-box; }
/* No system-ui: on a Linux host without desktop settings it can resolve to a serif face. */
body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: var(--ink); background: #f6f8fa; }
header { display: flex; align-items: center; gap: 16px; padding: 16px 24px; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 20px; margin: 0; }
header .sub { color: var(--muted); }
main { padding: 16px 24px 32px; display: grid; gap: 16px; max-width: 1280px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
h2 { font-size: 15px; margin: 0 0 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 6px 8px; border-top: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; border-top: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 12px; }
.muted { color: var(--muted); }
.stale-note { color: var(--warn); font-weight: 600; }
.pill { display: inline-block; padding: 1px 10px; border-radius: 999px; font-weight: 600; font-size: 12px; }
.healthy .pill, .pill.healthy { color: var(--ok); background: var(--ok-bg); }
.stale .pill, .pill.stale, .pill.expiring { color: var(--warn); background: var(--warn-bg); }
.failing .pill, .pill.failing, .pill.expired { color: var(--bad); background: var(--bad-bg); }
.loading .pill, .pill.loading { color: var(--idle); background: var(--idle-bg); }
tr.partner { border-left: 4px solid transparent; }
tr.partner.healthy td:first-child { box-shadow: inset 4px 0 var(--ok); }
tr.partner.stale td:first-child { box-shadow: inset 4px 0 var(--warn); }
tr.partner.failing td:first-child { box-shadow: inset 4px 0 var(--bad); }
tr.partner.loading td:first-child { box-shadow: inset 4px 0 var(--idle); }
tr.partner.failing { background: #fff6f5; }
.days.expiring { color: var(--warn); font-weight: 600; }
.days.expired { color: var(--bad); font-weight: 600; }
.spark .req { fill: #8c959f; }
.spark .rej { fill: var(--bad); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.rejected { color: var(--bad); font-weight: 600; }
footer { padding: 0 24px 24px; color: var(--muted); }
footer a { color: inherit; }
`
