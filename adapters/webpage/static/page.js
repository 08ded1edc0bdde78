// Live updates for a discussion page: each change from the server is a comment to show (new, edited, shown
// again) or a number to hide. Everything is built with textContent, so no comment can become markup.
"use strict";

(() => {
  const body = document.body;
  const status = document.getElementById("live");
  if (!status) return; // no article: nothing to update

  // One page of a longer discussion: its counts are the whole discussion's at load, then moved by this page's
  // own comments only. A change to a comment outside the page (older than `from`, or on an earlier page newer
  // than `until`) is not shown, and cannot be told from one the stream repeats, so it moves no count.
  const paged = body.dataset.paged === "1";
  const from = Number(body.dataset.from || 0);
  const until = Number(body.dataset.until || 0);
  const discussions = () => Array.from(document.querySelectorAll(".discussion"));
  const discussionOf = (key) => discussions().find((d) => d.dataset.section === key);

  function insertByNumber(list, item) {
    const n = Number(item.dataset.n);
    const after = Array.from(list.children).find((li) => Number(li.dataset.n) > n);
    list.insertBefore(item, after || null);
  }

  function build(c) {
    const li = document.createElement("li");
    li.className = "comment new";
    li.id = "c" + c.n;
    li.dataset.n = String(c.n);
    const article = document.createElement("article");
    const header = document.createElement("header");
    const number = document.createElement("a");
    number.className = "n";
    number.href = "#c" + c.n;
    const author = document.createElement("span");
    author.className = "author";
    const time = document.createElement("time");
    const edited = document.createElement("span");
    edited.className = "edited";
    header.append(number, " ", author, " ", time, edited);
    const text = document.createElement("p");
    text.className = "text";
    article.append(header, text);
    const replies = document.createElement("ul");
    replies.className = "replies";
    li.append(article, replies);
    return li;
  }

  function fill(li, c) {
    li.querySelector(".n").textContent = "#" + c.n;
    li.querySelector(".author").textContent = c.author;
    const time = li.querySelector("time");
    time.dateTime = c.at;
    time.textContent = c.atText;
    const edited = li.querySelector(".edited");
    edited.textContent = " · " + body.dataset.edited;
    edited.hidden = !c.edited;
    li.querySelector(".text").textContent = c.text;
  }

  function bump(section, by) {
    for (const badge of document.querySelectorAll("#toc .count")) {
      if (badge.dataset.for === section) badge.textContent = String(Math.max(0, Number(badge.textContent) + by));
    }
  }

  function hide(n) {
    const li = document.getElementById("c" + n);
    if (!li) return;
    if (paged) bump(li.closest(".discussion").dataset.section, -1);
    // its replies stay, standing on their own where it was
    const list = li.parentElement;
    for (const reply of Array.from(li.querySelector(".replies").children)) insertByNumber(list, reply);
    li.remove();
  }

  function show(c) {
    const discussion = discussionOf(c.section);
    if (!discussion) return;
    let li = document.getElementById("c" + c.n);
    if (!li) {
      if (paged && (c.n < from || (until && c.n >= until))) return;
      if (paged) bump(c.section, 1);
      li = build(c);
      const parent = c.parent !== null ? document.getElementById("c" + c.parent) : null;
      const nested = parent && discussion.contains(parent);
      const list = nested ? parent.querySelector(".replies") : discussion.querySelector(".comments");
      if (parent && !nested) { // it answers a comment in another section: name it
        const link = document.createElement("a");
        link.className = "parent";
        link.href = "#c" + c.parent;
        link.textContent = "↪ #" + c.parent;
        li.querySelector("header").append(" ", link);
      }
      insertByNumber(list, li);
    }
    fill(li, c);
  }

  function recount() {
    for (const d of discussions()) {
      const badge = Array.from(document.querySelectorAll("#toc .count")).find((b) => b.dataset.for === d.dataset.section);
      const count = paged && badge ? Number(badge.textContent) : d.querySelectorAll("li.comment").length;
      d.querySelector(".empty").hidden = count > 0;
      if (badge) badge.textContent = String(count);
    }
  }

  function connect() {
    const since = encodeURIComponent(body.dataset.since);
    const events = new EventSource(location.pathname.replace(/\/+$/, "") + "/events?since=" + since);
    events.onopen = () => {
      status.textContent = body.dataset.live;
      status.classList.add("on");
    };
    events.onerror = () => {
      status.textContent = body.dataset.reconnecting;
      status.classList.remove("on");
    };
    events.addEventListener("change", (event) => {
      for (const c of JSON.parse(event.data)) {
        if (c.hide) hide(c.n); else show(c);
      }
      recount();
      body.dataset.changes = String(Number(body.dataset.changes || 0) + 1);
    });
    events.addEventListener("gone", () => {
      events.close();
      status.textContent = body.dataset.gone;
      status.classList.remove("on");
    });
    events.addEventListener("reload", () => location.reload());
  }

  connect();
})();
