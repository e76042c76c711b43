/*
 * 窓口コンソール: the few things the pages do in the browser.
 *  - the ticket page polls its messages.json every 5 s and redraws the
 *    transcript (new customer messages, delivery states of replies);
 *  - forms with data-confirm ask first; the reply box counts characters;
 *  - a canned reply (定型文) chosen on the ticket page fills the reply box;
 *  - every page polls /console/queue.json and tells the agent about new
 *    tickets, urgent ones first: a browser notification (once permitted),
 *    a sound, the count in the tab title and a banner with links.
 * Text is only ever put into the page with textContent.
 */
(function () {
  "use strict";

  var POLL_MS = 5000;

  // The console's JSON endpoints, never from the cache; a failed answer is an error.
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error(String(r.status));
        }
        return r.json();
      });
  }

  function messageItem(m) {
    var li = document.createElement("li");
    li.className = "msg msg-" + m.author;
    li.setAttribute("data-id", String(m.id));
    var meta = document.createElement("div");
    meta.className = "meta";
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = m.author_label;
    var time = document.createElement("time");
    time.textContent = m.at;
    meta.appendChild(who);
    meta.appendChild(time);
    if (m.delivery) {
      var delivery = document.createElement("span");
      delivery.className = "delivery delivery-" + m.delivery;
      delivery.textContent = m.delivery_label;
      if (m.delivery_error) {
        delivery.title = m.delivery_error;
      }
      meta.appendChild(delivery);
    }
    var text = document.createElement("div");
    text.className = "text";
    m.parts.forEach(function (part) {
      if (part[1]) {
        var mark = document.createElement("mark");
        mark.textContent = part[0];
        text.appendChild(mark);
      } else {
        text.appendChild(document.createTextNode(part[0]));
      }
    });
    li.appendChild(meta);
    li.appendChild(text);
    return li;
  }

  function pollTranscript(list) {
    var url = list.getAttribute("data-url");
    var shownState = list.getAttribute("data-state");
    var lastPayload = "";
    function show(id, visible) {
      var el = document.getElementById(id);
      if (el) {
        el.hidden = !visible;
      }
    }
    function tick() {
      getJson(url)
        .then(function (data) {
          show("poll-failed", false);
          show("state-changed", data.state !== shownState);
          var payload = JSON.stringify(data.messages);
          if (payload === lastPayload) {
            return;
          }
          lastPayload = payload;
          var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
          while (list.firstChild) {
            list.removeChild(list.firstChild);
          }
          data.messages.forEach(function (m) {
            list.appendChild(messageItem(m));
          });
          show("transcript-empty", data.messages.length === 0);
          if (atBottom) {
            list.scrollTop = list.scrollHeight;
          }
        })
        .catch(function () {
          show("poll-failed", true);
        });
    }
    list.scrollTop = list.scrollHeight;
    window.setInterval(tick, POLL_MS);
    tick();
  }

  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  }

  function counters() {
    document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      var box = document.getElementById(counter.getAttribute("data-counter-for"));
      var max = parseInt(counter.getAttribute("data-max"), 10);
      if (!box) {
        return;
      }
      function update() {
        counter.textContent = "残り " + (max - box.value.length) + " 文字";
      }
      box.addEventListener("input", update);
      update();
    });
  }

  function cannedPicker() {
    var picker = document.getElementById("canned-picker");
    if (!picker) {
      return;
    }
    picker.addEventListener("change", function () {
      var option = picker.options[picker.selectedIndex];
      var text = option.getAttribute("data-text");
      var box = document.getElementById(picker.getAttribute("data-target"));
      if (!text || !box) {
        return;
      }
      if (box.value.trim() && box.value !== text && !window.confirm("入力中の返信を定型文で置き換えますか？")) {
        picker.value = "";
        return;
      }
      box.value = text;
      box.dispatchEvent(new Event("input"));
      box.focus();
      var note = document.getElementById("canned-unfilled");
      if (note) {
        note.hidden = option.getAttribute("data-unfilled") !== "1";
      }
    });
  }

  var FEED_MS = 10000;
  var SEEN_KEY = "madoguchi.tickets.seen";  // ticket id -> 1 (acknowledged) or 2 (new, not yet looked at)
  var audio = null;

  function unlockSound() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      audio = new Context();
    }
    if (audio && audio.state === "suspended") {
      audio.resume();
    }
  }

  function chime(urgent) {
    if (!audio || audio.state !== "running") {
      return;
    }
    var beeps = urgent ? 3 : 1;
    for (var i = 0; i < beeps; i += 1) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      var start = audio.currentTime + i * 0.3;
      oscillator.frequency.value = urgent ? 1046 : 784;
      gain.gain.setValueAtTime(0.15, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.25);
      oscillator.connect(gain);
      gain.connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.25);
    }
  }

  function notify(tickets) {
    if (!("Notification" in window) || Notification.permission !== "granted") {
      return;
    }
    tickets.slice(0, 3).forEach(function (t) {
      var note = new Notification("新着チケット（" + t.severity_label + "）", {
        body: t.reference + "　" + t.reason_label, tag: t.reference
      });
      note.onclick = function () {
        window.focus();
        window.location.href = "/console/tickets/" + t.id;
      };
    });
  }

  function newTicketAlerts(url) {
    var baseTitle = document.title;
    var banner = document.getElementById("new-tickets");
    var list = document.getElementById("new-tickets-list");
    var enable = document.getElementById("notify-enable");
    var seen = null;
    try {
      seen = JSON.parse(window.localStorage.getItem(SEEN_KEY) || "null");
    } catch (e) {
      seen = null;
    }
    var firstLook = seen === null;  // tickets already open when this browser first looks are not "new"
    seen = seen || {};
    var current = [];

    function save() {
      try {
        window.localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
      } catch (e) {
        // private mode: the alerts still work for this page
      }
    }
    function show() {
      var fresh = current.filter(function (t) { return seen[t.id] === 2; });
      document.title = fresh.length ? "(" + fresh.length + ") 新着チケット — " + baseTitle : baseTitle;
      document.body.setAttribute("data-new-tickets", String(fresh.length));
      if (!banner || !list) {
        return;
      }
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      fresh.forEach(function (t) {
        var li = document.createElement("li");
        var badge = document.createElement("span");
        badge.className = "badge sev-" + t.severity;
        badge.textContent = t.severity_label;
        var link = document.createElement("a");
        link.href = "/console/tickets/" + t.id;
        link.textContent = t.reference;
        li.appendChild(badge);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(link);
        li.appendChild(document.createTextNode("　" + t.reason_label));
        list.appendChild(li);
      });
      banner.hidden = fresh.length === 0;
    }
    function acknowledge() {
      current.forEach(function (t) { seen[t.id] = 1; });
      save();
      show();
    }
    function tick() {
      getJson(url)
        .then(function (data) {
          current = data.open;
          var kept = {};
          var arrived = [];
          current.forEach(function (t) {
            if (seen[t.id] === undefined) {
              kept[t.id] = firstLook ? 1 : 2;
              if (!firstLook) {
                arrived.push(t);
              }
            } else {
              kept[t.id] = seen[t.id];
            }
          });
          seen = kept;
          firstLook = false;
          save();
          if (arrived.length) {
            notify(arrived);
            chime(arrived.some(function (t) { return t.severity === "urgent"; }));
          }
          show();
        })
        .catch(function () {
          // the ticket page says when polling fails; here we just try again
        });
    }
    if (enable && "Notification" in window && Notification.permission === "default") {
      enable.hidden = false;
      enable.addEventListener("click", function () {
        unlockSound();
        Notification.requestPermission().then(function () {
          enable.hidden = Notification.permission !== "default";
        });
      });
    }
    var dismiss = document.getElementById("new-tickets-dismiss");
    if (dismiss) {
      dismiss.addEventListener("click", acknowledge);
    }
    document.addEventListener("click", unlockSound);
    document.addEventListener("keydown", unlockSound);
    window.setInterval(tick, FEED_MS);
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var feed = document.body.getAttribute("data-feed");
    if (feed) {
      newTicketAlerts(feed);
    }
    cannedPicker();
    var list = document.getElementById("transcript");
    if (list) {
      pollTranscript(list);
    }
    confirmForms();
    counters();
  });
})();
