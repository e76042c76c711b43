/*
 * 窓口コンソール: the few things the pages do in the browser.
 *  - the ticket page polls its messages.json every 5 s and redraws the
 *    transcript (new customer messages, delivery states of replies);
 *  - forms with data-confirm ask first; the reply box counts characters.
 * Text is only ever put into the page with textContent.
 */
(function () {
  "use strict";

  var POLL_MS = 5000;

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
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (r) {
          if (!r.ok) {
            throw new Error(String(r.status));
          }
          return r.json();
        })
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

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("transcript");
    if (list) {
      pollTranscript(list);
    }
    confirmForms();
    counters();
  });
})();
