// broadcast ui: follows long operations, asks what the machine will read, scans QR codes.
// No library, nothing from elsewhere; every sentence comes from the page (the catalogs).
"use strict";
(function () {
  const strings = JSON.parse(document.getElementById("ui-strings").textContent);
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const headers = { "X-Requested-With": "broadcast", "X-CSRF-Token": csrf };
  const panel = document.getElementById("job");

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function amount(step, value) {
    return step.unit === "bytes" ? (value / 1e6).toFixed(1) + " MB" : String(value);
  }

  function show(job) {
    panel.hidden = false;
    panel.dataset.state = job.state;
    panel.querySelector(".job-label").textContent = job.label;
    panel.querySelector(".job-state").textContent =
      strings[job.state === "running" ? "running" : job.state] + " · " + job.seconds + " s";
    const steps = panel.querySelector(".job-steps");
    steps.replaceChildren(...job.steps.map(function (step) {
      const row = el("div", undefined, "job-step");
      const bar = el("progress");
      bar.max = step.total || 1;
      bar.value = step.done;
      row.append(el("span", step.label), bar,
        el("small", amount(step, step.done) + " " + strings.of + " " + amount(step, step.total)));
      return row;
    }));
    panel.querySelector(".job-log pre").textContent = job.lines.join("\n");
    const outcome = panel.querySelector(".job-outcome");
    const items = [];
    if (job.error) items.push(el("li", job.error, "error"));
    const done = job.outcome || {};
    (done.lines || []).forEach(function (line) { items.push(el("li", line, done.ok === false ? "error" : "")); });
    (done.links || []).forEach(function (pair) {
      const li = el("li"); const a = el("a", pair[0]); a.href = pair[1]; a.setAttribute("download", "");
      li.append(a); items.push(li);
    });
    outcome.replaceChildren(...items);
    const print = panel.querySelector(".job-fingerprint");
    print.hidden = !done.fingerprint;
    print.querySelector("code").textContent = done.fingerprint || "";
    const audio = panel.querySelector(".job-audio");
    if (done.audio && audio.dataset.src !== done.audio) {
      audio.dataset.src = done.audio;
      audio.src = done.audio;
      audio.hidden = false;
      audio.play().catch(function () { /* the browser wants a click first: the controls are there */ });
    }
    if (job.state === "done" && done.reload) {
      const again = el("button", strings.reload);
      again.type = "button";
      again.addEventListener("click", function () { location.reload(); });
      outcome.append(el("li")); outcome.lastChild.append(again);
    }
  }

  function follow(url) {
    fetch(url, { headers: headers }).then(function (r) { return r.json(); }).then(function (job) {
      show(job);
      if (job.state === "running") setTimeout(function () { follow(url); }, 300);
    }).catch(function () { setTimeout(function () { follow(url); }, 1000); });
  }

  function failed(message) {
    show({ label: "", state: "failed", seconds: 0, steps: [], lines: [], outcome: null, error: message });
  }

  document.querySelectorAll("form[data-job]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), headers: headers })
        .then(function (r) { return r.json(); })
        .then(function (answer) { if (answer.url) follow(answer.url); else failed(answer.error); })
        .catch(function (err) { failed(String(err)); })
        .finally(function () { if (button) button.disabled = false; });
    });
  });

  if (panel && panel.dataset.url) follow(panel.dataset.url);
  if (panel) panel.querySelector(".job-close").addEventListener("click", function () { panel.hidden = true; });

  document.querySelectorAll("[data-spoken]").forEach(function (button) {
    button.addEventListener("click", function () {
      const body = new FormData();
      body.append("text", document.getElementById("in-text").value);
      fetch(button.dataset.spoken, { method: "POST", body: body, headers: headers })
        .then(function (r) { return r.json(); })
        .then(function (answer) {
          document.getElementById("spoken").replaceChildren(...(answer.lines || []).map(function (l) { return el("li", l); }));
        });
    });
  });

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // QR codes: where the browser can read them from the camera (BarcodeDetector); elsewhere a
  // phone's camera app reads the code and the link is pasted.
  const scan = document.getElementById("scan");
  if (scan && "BarcodeDetector" in window && navigator.mediaDevices) {
    scan.hidden = false;
    scan.addEventListener("click", function () {
      const video = document.getElementById("camera");
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream; video.hidden = false; video.play();
        const look = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              document.getElementById("link").value = codes[0].rawValue;
              stream.getTracks().forEach(function (track) { track.stop(); });
              video.hidden = true;
            } else { requestAnimationFrame(look); }
          }).catch(function () { requestAnimationFrame(look); });
        };
        look();
      }).catch(function () { document.getElementById("scan-note").textContent = strings.noscan; });
    });
  }
})();
