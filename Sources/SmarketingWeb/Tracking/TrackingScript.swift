import Crypto
import Foundation
import Vapor

/// `t.js`, the tracking script a site embeds with one tag:
///
///     <script async src="https://smarketing.example/t.js" data-key="pk_..."></script>
///
/// It records page views (URL, path, title, referrer, UTM parameters) under a first-party
/// anonymous id cookie (`smk_aid`, on the site's own domain), sends them in small batches
/// (`sendBeacon` when the page hides), honours Do-Not-Track, Global Privacy Control and a
/// consent flag the site controls, and never blocks or breaks the page (everything is
/// asynchronous and guarded). The site talks to it through `smarketing(command, ...)`:
/// `smarketing("consent", true|false)`, `smarketing("identify", {email})`, `smarketing("page")`.
/// With `data-consent="required"` nothing is sent until the site calls `consent(true)`.
enum TrackingScript {
    static let source = #"""
    (function (w, d) {
      "use strict";
      if (w.__smarketing) { return; }
      w.__smarketing = true;
      var script = d.currentScript || d.querySelector("script[data-key][src*='/t.js']");
      if (!script) { return; }
      var key = script.getAttribute("data-key") || "";
      var endpoint;
      try { endpoint = new URL(script.src).origin + "/t/collect?k=" + encodeURIComponent(key); } catch (e) { return; }
      var needsConsent = script.getAttribute("data-consent") === "required";
      var queue = [], timer = null, counter = 0;

      function cookie(name) {
        var match = d.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
        return match ? decodeURIComponent(match[1]) : null;
      }
      function setCookie(name, value, days) {
        var secure = location.protocol === "https:" ? "; Secure" : "";
        d.cookie = name + "=" + encodeURIComponent(value) + "; Max-Age=" + (days * 86400) + "; Path=/; SameSite=Lax" + secure;
      }
      function randomID() {
        var bytes = new Uint8Array(16), out = "", i;
        if (w.crypto && w.crypto.getRandomValues) { w.crypto.getRandomValues(bytes); }
        else { for (i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); } }
        for (i = 0; i < 16; i++) { out += ("0" + bytes[i].toString(16)).slice(-2); }
        return out;
      }
      function doNotTrack() {
        var n = w.navigator || {};
        return n.doNotTrack === "1" || n.doNotTrack === "yes" || w.doNotTrack === "1" || n.msDoNotTrack === "1" || n.globalPrivacyControl === true;
      }
      function consented() {
        if (w.smarketingConsent === false || cookie("smk_consent") === "0") { return false; }
        return !needsConsent || w.smarketingConsent === true || cookie("smk_consent") === "1";
      }
      function allowed() { return key && !doNotTrack() && consented(); }
      function visitor() {
        var id = cookie("smk_aid");
        if (!id || !/^[0-9a-f]{32}$/.test(id)) { id = randomID(); }
        setCookie("smk_aid", id, 395);
        return id;
      }

      function send(events, beacon) {
        var body = JSON.stringify({ events: events });
        try {
          if (beacon && w.navigator.sendBeacon && w.navigator.sendBeacon(endpoint, new Blob([body], { type: "text/plain" }))) { return; }
          if (w.fetch) {
            w.fetch(endpoint, { method: "POST", body: body, keepalive: true, mode: "cors", credentials: "omit",
                                headers: { "Content-Type": "text/plain" } })["catch"](function () {});
          }
        } catch (e) { /* never break the page */ }
      }
      function flush(beacon) {
        if (timer) { clearTimeout(timer); timer = null; }
        while (queue.length) { send(queue.splice(0, 20), beacon); }
      }
      function push(type, properties, email) {
        if (!allowed()) { return; }
        var aid = visitor();
        var event = { id: aid + "-" + Date.now().toString(36) + "-" + (counter++).toString(36), type: type,
                      occurred_at: new Date().toISOString(), anonymous_id: aid, properties: properties || {} };
        if (email) { event.email = email; }
        queue.push(event);
        if (queue.length >= 10) { flush(false); } else if (!timer) { timer = setTimeout(function () { flush(false); }, 1000); }
      }

      function pageView() {
        var props = { url: location.href.slice(0, 1000), path: location.pathname.slice(0, 500), title: (d.title || "").slice(0, 300) };
        if (d.referrer) { props.referrer = d.referrer.slice(0, 1000); }
        var params;
        try { params = new URLSearchParams(location.search); } catch (e) { params = null; }
        if (params) {
          ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (name) {
            var value = params.get(name);
            if (value) { props[name] = value.slice(0, 200); }
          });
          // A click on a tracked email link names the visitor: the signed link travels once.
          var link = params.get("smk_c");
          if (link) {
            push("identified", { link: link.slice(0, 3000) });
            try {
              params["delete"]("smk_c");
              var rest = params.toString();
              history.replaceState(history.state, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
              props.url = location.href.slice(0, 1000);
            } catch (e) {}
          }
        }
        push("page_view", props);
      }
      function fillForms() {
        if (!allowed()) { return; }
        var inputs = d.querySelectorAll("input[name='smk_aid']"), aid = visitor();
        for (var i = 0; i < inputs.length; i++) { if (!inputs[i].value) { inputs[i].value = aid; } }
      }

      var commands = {
        consent: function (given) {
          w.smarketingConsent = given === true;
          setCookie("smk_consent", given === true ? "1" : "0", 395);
          if (given === true) { pageView(); fillForms(); } else { queue = []; }
        },
        identify: function (traits) {
          if (traits && typeof traits.email === "string") { push("identified", {}, traits.email.slice(0, 320)); flush(false); }
        },
        page: function () { pageView(); }
      };
      function run(args) {
        try { var command = commands[args[0]]; if (command) { command.apply(null, Array.prototype.slice.call(args, 1)); } } catch (e) {}
      }
      var earlier = (w.smarketing && w.smarketing.q) || [];
      w.smarketing = function () { run(arguments); };
      for (var i = 0; i < earlier.length; i++) { run(earlier[i]); }

      // Single-page sites: a new history entry is a new page view.
      try {
        var pushState = history.pushState;
        history.pushState = function () { var result = pushState.apply(this, arguments); setTimeout(pageView, 0); return result; };
        w.addEventListener("popstate", function () { setTimeout(pageView, 0); });
      } catch (e) {}
      w.addEventListener("pagehide", function () { flush(true); });
      d.addEventListener("visibilitychange", function () { if (d.visibilityState === "hidden") { flush(true); } });
      pageView();
      if (d.readyState === "loading") { d.addEventListener("DOMContentLoaded", fillForms); } else { fillForms(); }
    })(window, document);
    """#

    static let etag = "\"" + SHA256.hash(data: Data(source.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined() + "\""

    /// Served with a short cache lifetime and an ETag, so sites pick up a new version within
    /// the hour and revalidate cheaply.
    static func response(for req: Request) -> Response {
        if req.headers.first(name: .ifNoneMatch) == etag {
            return Response(status: .notModified, headers: ["ETag": etag, "Cache-Control": "public, max-age=3600"])
        }
        return Response(status: .ok, headers: [
            "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600", "ETag": etag,
            "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff",
        ], body: .init(string: source))
    }
}
