import Vapor

/// The one stylesheet and the one script of the product, served from memory with a version
/// in their path so browsers may cache them for good.
enum Assets {
    static let version = "1"

    static func serve(_ body: String, type: String) -> Response {
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.replaceOrAdd(name: .contentType, value: type)
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=31536000, immutable")
        return response
    }

    static let script = #"""
    // Progressive enhancement only: every form works without this file.
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target && target.dataset && target.dataset.autosubmit === "true" && target.form) {
        target.form.submit();
      }
    });
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
    document.addEventListener("DOMContentLoaded", function () {
      var link = document.getElementById("invite-link");
      if (link) { link.addEventListener("focus", function () { link.select(); }); }
    });
    // The live channel: a contact that becomes MQL shows up on every open page of the workspace.
    document.addEventListener("DOMContentLoaded", function () {
      var region = document.getElementById("live-region");
      if (!region || !window.EventSource) { return; }
      var source = new EventSource(region.dataset.source);
      source.addEventListener("open", function () { region.dataset.state = "open"; });
      source.addEventListener("mql", function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (e) { return; }
        var toast = document.createElement("div");
        toast.className = "toast";
        toast.setAttribute("role", "status");
        if (data.contact_id && data.url) {
          var anchor = document.createElement("a");
          anchor.href = data.url;
          anchor.textContent = (data.mine ? region.dataset.mqlMine : region.dataset.mqlOne).replace("%@", data.name || "");
          if (data.mine) { toast.classList.add("toast-mine"); }
          toast.appendChild(anchor);
          toast.dataset.contact = data.contact_id;
          if (data.cause) {
            var cause = document.createElement("span");
            cause.className = "toast-cause";
            cause.textContent = data.cause;
            toast.appendChild(cause);
          }
        } else {
          toast.textContent = region.dataset.mqlMany.replace("%@", String(data.count || 0));
        }
        var close = document.createElement("button");
        close.type = "button";
        close.className = "toast-close";
        close.setAttribute("aria-label", region.dataset.close);
        close.textContent = "×";
        close.addEventListener("click", function () { toast.remove(); });
        toast.appendChild(close);
        region.appendChild(toast);
        setTimeout(function () { toast.remove(); }, 20000);
      });
    });
    """#

    static let stylesheet = #"""
    :root {
      --bg: #f6f7fb; --surface: #ffffff; --surface-2: #eef1f7; --text: #1b2333; --muted: #5b6578;
      --border: #d8dde8; --accent: #3b4fd8; --accent-text: #ffffff; --accent-soft: #e4e8ff;
      --ok: #1f7a4d; --ok-soft: #dff3e8; --danger: #b42318; --danger-soft: #fde8e6; --warn: #8a5a00;
      --focus: #f5a524;
      --space-1: 4px; --space-2: 8px; --space-3: 12px; --space-4: 16px; --space-5: 24px; --space-6: 32px;
      --radius: 10px; --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      --step--1: 0.875rem; --step-0: 1rem; --step-1: 1.25rem; --step-2: 1.6rem;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #11151d; --surface: #1a202b; --surface-2: #232b38; --text: #e7ebf3; --muted: #a3adbf;
        --border: #323c4d; --accent: #8c9bff; --accent-text: #0d1020; --accent-soft: #262d52;
        --ok: #6fd3a0; --ok-soft: #173a2a; --danger: #ff8a80; --danger-soft: #43201e; --warn: #f5c46b;
      }
    }
    * { box-sizing: border-box; }
    html { font-family: var(--font); font-size: 100%; color: var(--text); background: var(--bg); }
    body { margin: 0; line-height: 1.5; }
    a { color: var(--accent); }
    :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
    h1 { font-size: var(--step-2); margin: 0 0 var(--space-2); }
    h2 { font-size: var(--step-1); margin: var(--space-5) 0 var(--space-3); }
    .visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .skip-link { position: absolute; left: -9999px; }
    .skip-link:focus { left: var(--space-4); top: var(--space-4); background: var(--surface); padding: var(--space-2); z-index: 10; }
    .shell { display: grid; grid-template-columns: 220px 1fr; min-height: 100vh;
      background: linear-gradient(to right, var(--surface) 219px, var(--border) 219px, var(--border) 220px, var(--bg) 220px); }
    .sidebar { background: var(--surface); border-right: 1px solid var(--border); padding: var(--space-4); position: sticky; top: 0; height: 100vh; }
    .brand { display: flex; align-items: center; gap: var(--space-2); font-weight: 700; font-size: var(--step-1); color: var(--text); text-decoration: none; margin-bottom: var(--space-5); }
    .logo { color: var(--accent); }
    #main-nav ul { list-style: none; margin: 0; padding: 0; }
    #main-nav a { display: block; padding: var(--space-2) var(--space-3); border-radius: 8px; color: var(--text); text-decoration: none; }
    #main-nav a:hover { background: var(--surface-2); }
    #main-nav a[aria-current=page] { background: var(--accent-soft); color: var(--accent); font-weight: 600; }
    .workspace { min-width: 0; }
    .topbar { min-width: 0; flex-wrap: wrap; display: flex; justify-content: space-between; align-items: center; gap: var(--space-3); padding: var(--space-3) var(--space-5); background: var(--surface); border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 5; }
    .workspace-name { font-weight: 600; }
    .topbar-actions { display: flex; align-items: center; gap: var(--space-4); }
    .user-name { color: var(--muted); }
    main { padding: var(--space-5); max-width: 1200px; }
    .visitor { min-height: 100vh; }
    .visitor-bar { display: flex; justify-content: space-between; align-items: center; padding: var(--space-4) var(--space-5); }
    .visitor-bar .brand { margin: 0; }
    .card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: var(--space-6); margin: var(--space-5) auto; }
    .narrow { max-width: 520px; }
    .panel { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: var(--space-5); margin: var(--space-4) 0; }
    .page-header { display: flex; justify-content: space-between; align-items: flex-start; gap: var(--space-4); margin-bottom: var(--space-4); }
    .subtitle, .hint { color: var(--muted); margin: 0; }
    .hint { font-size: var(--step--1); }
    .field { display: flex; flex-direction: column; gap: var(--space-1); margin-bottom: var(--space-4); border: 0; padding: 0; }
    .field label, .field legend { font-weight: 600; font-size: var(--step--1); }
    input[type=text], input[type=email], input[type=password], input[type=number], input[type=search], input[type=tel], input[type=date], select, textarea {
      font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: var(--space-2) var(--space-3); min-height: 40px; }
    .has-error input, .has-error select { border-color: var(--danger); }
    .field-error { color: var(--danger); font-size: var(--step--1); margin: 0; }
    .form-error { background: var(--danger-soft); color: var(--danger); border-radius: 8px; padding: var(--space-3); margin-bottom: var(--space-4); }
    .notice { background: var(--ok-soft); color: var(--ok); border-radius: 8px; padding: var(--space-3); margin-bottom: var(--space-4); }
    .notice.secret { background: var(--accent-soft); color: var(--text); }
    .secret-value { display: block; width: 100%; font-family: ui-monospace, monospace; padding: var(--space-2); background: var(--surface); border: 1px dashed var(--accent); border-radius: 6px; word-break: break-all; }
    .checkboxes .checkbox { font-weight: 400; display: flex; align-items: center; gap: var(--space-2); }
    .inline-form { display: flex; gap: var(--space-3); align-items: flex-end; flex-wrap: wrap; }
    .inline-form .field { margin-bottom: 0; min-width: 260px; }
    button, .button-primary { font: inherit; cursor: pointer; border-radius: 8px; padding: var(--space-2) var(--space-4); min-height: 40px; border: 1px solid transparent; }
    .button-primary { background: var(--accent); color: var(--accent-text); text-decoration: none; display: inline-block; }
    .button-secondary { background: var(--surface-2); color: var(--text); border-color: var(--border); }
    .button-danger { background: var(--danger-soft); color: var(--danger); border-color: var(--danger); }
    .button-small { min-height: 32px; padding: var(--space-1) var(--space-2); }
    .button-link { background: none; border: 0; color: var(--accent); padding: 0; min-height: 0; text-decoration: underline; }
    .language-form { display: flex; gap: var(--space-2); align-items: center; }
    .language-form select { min-height: 32px; padding: 2px var(--space-2); }
    .table-wrap { overflow: auto; background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); max-height: 70vh; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: var(--space-2) var(--space-3); border-bottom: 1px solid var(--border); vertical-align: top; }
    thead th { position: sticky; top: 0; background: var(--surface-2); font-size: var(--step--1); }
    tr.inactive td { color: var(--muted); }
    td form { margin: 0; }
    .badge { display: inline-block; padding: 0 var(--space-2); border-radius: 999px; font-size: var(--step--1); background: var(--accent-soft); color: var(--accent); }
    .badge.ok { background: var(--ok-soft); color: var(--ok); }
    .badge.muted { background: var(--surface-2); color: var(--muted); margin-left: var(--space-1); }
    .badge.danger { background: var(--danger-soft); color: var(--danger); }
    .message-error { color: var(--danger); overflow-wrap: anywhere; }
    .message-body { white-space: pre-wrap; overflow-wrap: anywhere; font-family: inherit; margin: 0; }
    .tabs { display: flex; gap: var(--space-2); flex-wrap: wrap; margin-bottom: var(--space-4); border-bottom: 1px solid var(--border); }
    .tabs a { padding: var(--space-2) var(--space-3); text-decoration: none; color: var(--muted); border-bottom: 2px solid transparent; }
    .tabs a[aria-current=page] { color: var(--accent); border-color: var(--accent); font-weight: 600; }
    .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: var(--space-4); }
    .stat { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: var(--space-4); display: flex; flex-direction: column; text-decoration: none; color: var(--text); }
    .stat-value { font-size: var(--step-2); font-weight: 700; }
    .stat-label { color: var(--muted); }
    .chart-figure { margin: 0; }
    .chart-figure figcaption { font-weight: 600; margin-bottom: var(--space-2); }
    .chart { width: 100%; max-width: 640px; height: auto; }
    .chart-bar { fill: var(--accent); }
    .chart-bar-compare { fill: var(--muted, #8a8f98); }
    .chart-label, .chart-value { fill: var(--text); font-size: 12px; }
    .facts { display: grid; grid-template-columns: max-content 1fr; gap: var(--space-2) var(--space-5); margin: 0; }
    .facts dt { color: var(--muted); }
    .facts dd { margin: 0; overflow-wrap: anywhere; }
    .panel > h2:first-child, .panel form > h2:first-of-type, .panel > form:first-child > h2 { margin-top: 0; }
    .panel h2 { margin-top: 0; }
    .changes { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 0 var(--space-2); font-size: var(--step--1); }
    .changes dt { color: var(--muted); }
    .changes dd { margin: 0; word-break: break-word; }
    .pager { display: flex; gap: var(--space-4); margin-top: var(--space-4); }
    .empty { color: var(--muted); padding: var(--space-4); background: var(--surface); border: 1px dashed var(--border); border-radius: var(--radius); }
    .error-page { text-align: center; }
    .error-status { font-size: 3rem; font-weight: 800; color: var(--muted); margin: 0; }
    .danger-zone { border-color: var(--danger); }
    a.button-secondary, a.button-primary { display: inline-block; text-decoration: none; padding: var(--space-2) var(--space-4); border-radius: 8px; }
    .page-header .actions { display: flex; gap: var(--space-3); align-items: center; flex-wrap: wrap; }
    .filters form { margin: 0; }
    .chips { list-style: none; display: flex; flex-wrap: wrap; gap: var(--space-2); padding: 0; margin: var(--space-3) 0 0; }
    .chip { background: var(--accent-soft); color: var(--text); border-radius: 999px; padding: var(--space-1) var(--space-3); display: flex; gap: var(--space-2); align-items: center; }
    .chip-remove { text-decoration: none; font-weight: 700; }
    .bulk { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: var(--space-3); margin: var(--space-3) 0; }
    .columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: var(--space-4); }
    .timeline { list-style: none; margin: 0; padding: 0; border-left: 2px solid var(--border); }
    .timeline-item { padding: 0 0 var(--space-4) var(--space-4); position: relative; }
    .timeline-item::before { content: ""; position: absolute; left: -7px; top: 6px; width: 12px; height: 12px; border-radius: 50%; background: var(--accent); }
    .timeline-head { margin: 0 0 var(--space-1); }
    .timeline-icon { display: inline-block; width: 1.4em; color: var(--accent); }
    .activity-notes, .activity-next-step { margin: 0 0 var(--space-1); white-space: pre-wrap; }
    .activity-next-step { color: var(--muted); }
    .quick-form { margin-bottom: var(--space-3); }
    .quick-form > summary { display: inline-block; cursor: pointer; padding: var(--space-2) var(--space-4); border-radius: 8px; border: 1px solid var(--border); }
    .quick-form[open] > summary { margin-bottom: var(--space-3); }
    .task-list, .deal-list, .board-cards { list-style: none; margin: 0; padding: 0; }
    .task { display: flex; gap: var(--space-2); align-items: center; flex-wrap: wrap; padding: var(--space-1) 0; }
    .task-done-form { display: inline; }
    .task-check { background: none; border: none; font-size: 1.2em; cursor: pointer; padding: 0; color: var(--text); }
    .task-overdue .task-title { color: var(--danger, #c0392b); font-weight: 600; }
    .task-done .task-title { text-decoration: line-through; color: var(--muted); }
    .board { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: var(--space-3); margin-bottom: var(--space-3); }
    .board-column { background: var(--surface-2); border-radius: var(--radius); padding: var(--space-3); }
    .board-column h3 { margin: 0 0 var(--space-1); }
    .board-total { font-size: var(--step--1); color: var(--muted); margin: 0 0 var(--space-2); }
    .board-card { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: var(--space-2); margin-bottom: var(--space-2); }
    .board-card p { margin: var(--space-1) 0 0; }
    .board-closed { display: flex; gap: var(--space-2); flex-wrap: wrap; }
    .badge.deal-won { background: var(--ok-soft); color: var(--ok); }
    .badge.deal-lost { background: var(--surface-2); color: var(--muted); }
    form.inline { display: inline; }
    .grid-form { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: var(--space-4); }
    .grid-form .panel { margin: 0; }
    .form-actions { grid-column: 1 / -1; }
    textarea { font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: var(--space-2); }
    progress { width: 100%; height: 18px; accent-color: var(--accent); }
    @media (max-width: 760px) {
      .columns { grid-template-columns: 1fr; }
      .shell { grid-template-columns: 1fr; background: var(--bg); }
      .sidebar { position: static; height: auto; }
      #main-nav ul { display: flex; flex-wrap: wrap; gap: var(--space-1); }
      .topbar { flex-wrap: wrap; padding: var(--space-3); }
      main { padding: var(--space-3); }
      .card { padding: var(--space-4); margin: var(--space-3); }
    }
    @media print { .sidebar, .topbar, .language-form { display: none; } .shell { display: block; } }
        .live-region { position: fixed; right: var(--space-4); bottom: var(--space-4); display: flex; flex-direction: column; gap: var(--space-2); z-index: 50; max-width: 360px; }
    .toast { background: var(--surface); border: 1px solid var(--border); border-left: 4px solid var(--ok); border-radius: var(--radius); padding: var(--space-3) var(--space-5) var(--space-3) var(--space-3); box-shadow: 0 4px 16px rgba(0,0,0,.15); position: relative; }
    .toast a { font-weight: 600; }
    .toast-cause { display: block; color: var(--muted); font-size: var(--step--1); margin-top: var(--space-1); }
    .toast-close { position: absolute; top: 4px; right: 6px; background: none; border: 0; font-size: 1.1rem; cursor: pointer; color: var(--muted); }
    .snippet { white-space: pre-wrap; word-break: break-all; }
"""#
}
