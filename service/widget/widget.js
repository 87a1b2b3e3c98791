/*! jixiao widget — 绩效问答. One script tag; no external requests; everything from the jixiao host.
 * <script src="https://HOST/widget.js" data-api-base="https://HOST" data-key="SITE_KEY"
 *         data-title="绩效问答" [data-mode="inline" data-target="#el"] async></script>
 * Untrusted text (answers, document quotes) only ever reaches the DOM through textContent.
 */
(function () {
  "use strict";
  if (window.JixiaoWidget && window.JixiaoWidget.loaded) return;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll("script[src*='widget.js']");
    return all[all.length - 1];
  })();
  var ds = (script && script.dataset) || {};

  var T = {
    open: "打开绩效问答", close: "关闭", send: "发送", stop: "停止", newChat: "新对话",
    input: "输入您的问题", placeholder: "例如：2020年预算执行率是多少？（Enter 发送，Shift+Enter 换行）",
    docs: "限定文档", allDocs: "全部文档", sources: "来源", computations: "计算过程",
    copy: "复制回答", copied: "已复制", retry: "重试", suggested: "您可以这样问：",
    searching: "正在检索文档…", computing: "正在计算…", writing: "正在撰写回答…",
    ungrounded: "注意：此回答中有数字未能与文档或计算结果核对一致，请以原文为准。",
    page: "第{p}页", openPdf: "在新标签页打开原文 PDF", viewer: "原文", quote: "引用原文",
    down: "无法连接到绩效问答服务，请检查网络或稍后重试。",
    timeout: "回答超时，请稍后重试或换一种问法。",
    limited: "提问过于频繁，请 {s} 秒后重试。",
    auth: "本站点未获授权使用绩效问答（站点密钥无效或来源不符）。",
    server: "服务出错：{m}", stopped: "（已停止）", formula: "公式", inputs: "输入", result: "结果",
    chart: "数据对比图", welcome: "您好！我可以回答绩效评价报告和相关政策中的问题，每个数字都会注明出处或计算过程。",
    you: "您", bot: "绩效问答", locate: "在原文中查看", pageImage: "第{p}页原文图像，引用处已用方框标出",
    zoomIn: "放大页面", zoomOut: "缩小页面", pageText: "页面文字",
    openFile: "在新标签页打开原文件", cited: "（引用处）", where: "位置：", more: "等{n}处"
  };
  function t(key, vars) {
    var s = T[key] || key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.replace("{" + k + "}", vars[k]); });
    return s;
  }

  var CSS = [
    ":host{all:initial;font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif;font-size:15px;line-height:1.6;color:#1a1a1a}",
    "*{box-sizing:border-box}",
    "button,select,textarea{font:inherit;color:inherit}",
    ":focus-visible{outline:3px solid #0b57d0;outline-offset:2px}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#a8071a;color:#fff;border:0;border-radius:28px;padding:12px 20px;font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}",
    ".launcher:hover{background:#820014}",
    ".panel{display:flex;flex-direction:column;background:#fff;border:1px solid #c9c9c9;overflow:hidden}",
    ".panel.floating{position:fixed;right:20px;bottom:84px;width:420px;max-width:calc(100vw - 24px);height:min(680px,calc(100vh - 110px));z-index:2147483001;border-radius:10px;box-shadow:0 8px 30px rgba(0,0,0,.28)}",
    ".panel.inline{position:relative;width:100%;height:100%;min-height:420px;border-radius:6px}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#a8071a;color:#fff}",
    "header h2{font-size:16px;margin:0;flex:1;font-weight:600}",
    "header button{background:transparent;border:1px solid rgba(255,255,255,.7);color:#fff;border-radius:4px;padding:2px 8px;cursor:pointer}",
    ".toolbar{display:flex;gap:8px;align-items:center;padding:6px 12px;border-bottom:1px solid #e3e3e3;background:#fafafa;font-size:13px}",
    ".toolbar select{flex:1;min-width:0;border:1px solid #8c8c8c;border-radius:4px;padding:2px 4px;background:#fff}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:12px}",
    ".msg{max-width:100%;word-wrap:break-word;overflow-wrap:anywhere}",
    ".msg.user{align-self:flex-end;background:#fff1f0;border:1px solid #ffa39e;border-radius:8px;padding:6px 10px;max-width:85%;white-space:pre-wrap}",
    ".msg.bot{align-self:stretch;background:#f5f5f5;border:1px solid #e0e0e0;border-radius:8px;padding:8px 10px}",
    ".msg .who{position:absolute;left:-9999px}",
    ".msg p{margin:0 0 6px}.msg ul,.msg ol{margin:0 0 6px;padding-left:22px}",
    ".cite{border:0;background:#e6f0ff;color:#0b3d91;border-radius:3px;padding:0 3px;margin:0 1px;font-size:12px;cursor:pointer;vertical-align:super;line-height:1}",
    ".status{font-size:13px;color:#4d4d4d;font-style:italic}",
    ".warn{background:#fff7e6;border:1px solid #d48806;color:#5c3c00;border-radius:4px;padding:4px 8px;margin:4px 0;font-size:13px}",
    ".err{background:#fff1f0;border:1px solid #cf1322;color:#820014;border-radius:4px;padding:6px 8px;font-size:14px}",
    ".err button{margin-left:8px}",
    ".sources{margin-top:6px;border-top:1px dashed #bfbfbf;padding-top:6px;font-size:13px}",
    ".sources h3,.comp summary{font-size:13px;margin:0 0 4px;font-weight:600}",
    ".sources ol{margin:0;padding-left:0;list-style:none}",
    ".src{display:block;width:100%;text-align:left;background:#fff;border:1px solid #d9d9d9;border-radius:4px;padding:4px 6px;margin:0 0 4px;cursor:pointer}",
    ".src:hover{border-color:#0b57d0}",
    ".src .q{display:block;color:#404040;font-size:12px}",
    ".comp{margin-top:6px;font-size:13px}",
    ".comp summary{cursor:pointer}",
    ".comp li{margin-bottom:6px}",
    ".comp code{font-family:inherit;background:#fff;border:1px solid #e0e0e0;padding:0 3px;border-radius:3px}",
    ".actions{display:flex;gap:6px;margin-top:6px}",
    ".actions button,.sugg button,.err button{background:#fff;border:1px solid #8c8c8c;border-radius:4px;padding:1px 8px;cursor:pointer;font-size:13px}",
    ".sugg{display:flex;flex-wrap:wrap;gap:6px;font-size:13px}",
    ".sugg p{width:100%;margin:0;color:#404040}",
    "form{display:flex;gap:6px;padding:8px 12px;border-top:1px solid #e3e3e3}",
    "textarea{flex:1;resize:none;height:52px;border:1px solid #8c8c8c;border-radius:4px;padding:4px 6px}",
    "form button{border:0;border-radius:4px;padding:0 14px;background:#a8071a;color:#fff;cursor:pointer}",
    "form button.stop{background:#595959}",
    "form button[disabled]{background:#8c8c8c;cursor:not-allowed}",
    ".viewer{position:absolute;inset:0;background:#fff;display:flex;flex-direction:column;z-index:2}",
    ".viewer[hidden]{display:none}",
    ".viewer .body{flex:1;overflow:auto;padding:10px 12px;font-size:14px;white-space:pre-wrap}",
    ".viewer mark{background:#ffe58f;color:#000}",
    ".viewer a{color:#0b3d91}",
    ".viewer iframe{width:100%;height:320px;border:1px solid #d9d9d9;margin-top:8px}",
    ".pageimg{position:relative;border:1px solid #bfbfbf;margin:6px 0;width:100%}.pageimg.zoomed{width:200%}",
    ".pageimg img{display:block;width:100%;height:auto}",
    // the box frames the cell or line from just outside it; the fill multiplies, so the figure stays legible
    ".pageimg .box{position:absolute;box-sizing:content-box;margin:-3px 0 0 -3px;padding:1px;border:2px solid #cf1322;background:rgba(255,214,102,.35);mix-blend-mode:multiply;pointer-events:none}",
    ".pageimg .box.focus{margin:-4px 0 0 -4px;border:3px solid #a8071a;background:rgba(255,196,61,.45)}",
    ".viewer .tools button,.loc{background:#fff;border:1px solid #8c8c8c;border-radius:4px;padding:0 6px;cursor:pointer;font-size:12px;margin-left:4px}",
    ".viewer h3{font-size:13px;margin:8px 0 2px}",
    // an xlsx/docx citation: the cited sheet or Word table drawn as a table, the cited cells marked
    ".sheet{overflow:auto;max-height:min(60vh,420px);border:1px solid #bfbfbf;margin:6px 0;white-space:normal}",
    ".sheet table{border-collapse:collapse;font-size:12px;line-height:1.4}",
    ".sheet caption{text-align:left;font-weight:600;font-size:13px;padding:2px 4px;position:sticky;left:0}",
    ".sheet th,.sheet td{border:1px solid #d9d9d9;padding:2px 6px;vertical-align:top;text-align:left;max-width:16em;overflow-wrap:anywhere}",
    ".sheet th{background:#f0f0f0;color:#404040;font-weight:400;text-align:center;min-width:2em}",
    ".sheet td.num{text-align:right;white-space:nowrap}",
    ".sheet td.hit{background:#fff1b8;outline:2px solid #cf1322;outline-offset:-2px}",
    ".sheet td.focus{background:#ffd666;outline:3px solid #a8071a;outline-offset:-3px;font-weight:600}",
    ".viewer .where{margin:4px 0;font-weight:600}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "svg text{font-size:11px;fill:#1a1a1a}",
    ".rtable{overflow-x:auto;margin:6px 0}.rtable table{border-collapse:collapse;font-size:12px;width:100%}",
    ".rtable th,.rtable td{border:1px solid #d9d9d9;padding:2px 4px;text-align:left;overflow-wrap:normal}.rtable td.num{text-align:right;white-space:nowrap}",
    ".rtable th button{border:0;background:none;font:inherit;font-weight:600;cursor:pointer;padding:0}",
    ".rtable caption{text-align:left;font-weight:600;font-size:12px}",
    "@media (max-width:480px){.panel.floating{right:0;bottom:0;width:100vw;max-width:100vw;height:100vh;height:100dvh;border-radius:0}.launcher{right:12px;bottom:12px}}"
  ].join("\n");

  // ---- tiny DOM helper: builds nodes, never parses HTML strings -------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var n = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) n.textContent = text;
    return n;
  }

  // a quote in the page text, tolerant to whitespace, line breaks and full-/half-width forms: [start, end) or null
  var PUNCT = { "。": ".", "、": ",", "“": "\"", "”": "\"", "‘": "'", "’": "'", "【": "[", "】": "]", "《": "<", "》": ">", "—": "-" };
  function fold(s) {
    return (s.normalize ? s.normalize("NFKC") : s).toLowerCase().replace(/\s+/g, "")
      .replace(/[。、“”‘’【】《》—]/g, function (c) { return PUNCT[c]; });
  }
  function locate(text, q) {
    var keys = "", at = [];
    for (var i = 0; i < text.length; i++) {
      var k = fold(text[i]);
      for (var j = 0; j < k.length; j++) { keys += k[j]; at.push(i); }
    }
    var needle = fold(q || "").replace(/[….]+$/, ""), p = needle ? keys.indexOf(needle) : -1;
    return p < 0 ? null : [at[p], at[p + needle.length - 1] + 1];
  }

  // ---- safe Markdown subset: paragraphs, lists, **bold**, [n] citations ------------------------
  function renderInline(text, parent, onCite) {
    var re = /\*\*([^*]+)\*\*|\[(\d{1,3})\]/g, last = 0, m;
    while ((m = re.exec(text))) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] !== undefined) parent.appendChild(el("strong", { text: m[1] }));
      else {
        var n = m[2];
        parent.appendChild(el("button", {
          type: "button", class: "cite", text: "[" + n + "]", "aria-label": "来源 " + n,
          onclick: function (nn) { return function () { onCite(parseInt(nn, 10)); }; }(n)
        }));
      }
      last = re.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function renderMarkdown(md, onCite) {
    var frag = document.createDocumentFragment(), list = null;
    md.replace(/\r/g, "").split("\n").forEach(function (line) {
      var li = /^\s*(?:[-*•]|\d+[.、)])\s+(.*)$/.exec(line);
      if (li) {
        if (!list) { list = el(/^\s*\d/.test(line) ? "ol" : "ul"); frag.appendChild(list); }
        var item = el("li"); renderInline(li[1], item, onCite); list.appendChild(item); return;
      }
      list = null;
      if (!line.trim()) return;
      var h = /^#{1,6}\s+(.*)$/.exec(line);
      var p = el("p"); renderInline(h ? h[1] : line, h ? p.appendChild(el("strong")) : p, onCite);
      frag.appendChild(p);
    });
    return frag;
  }

  // ---- bar chart of compared figures (inputs sharing a unit) ----------------------------------
  function barChart(computation) {
    var rows = (computation.inputs || []).map(function (i) {
      return { label: String(i.label || i.name || ""), value: parseFloat(i.value), unit: i.unit || "" };
    }).filter(function (r) { return isFinite(r.value) && r.value >= 0; });
    if (rows.length < 2) return null;
    var unit = rows[0].unit;
    if (!rows.every(function (r) { return r.unit === unit; })) return null;
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; })) || 1;
    var W = 300, rowH = 22, labelW = 110, H = rows.length * rowH + 4;
    var chart = svg("svg", { width: "100%", viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": t("chart") + "：" + rows.map(function (r) { return r.label + " " + r.value + unit; }).join("，") });
    rows.forEach(function (r, i) {
      var y = i * rowH + 2, w = Math.max(1, (W - labelW - 70) * r.value / max);
      chart.appendChild(svg("text", { x: 0, y: y + 14 }, r.label.length > 9 ? r.label.slice(0, 9) + "…" : r.label));
      chart.appendChild(svg("rect", { x: labelW, y: y + 3, width: w, height: 14, fill: i % 2 ? "#0b57d0" : "#a8071a" }));
      chart.appendChild(svg("text", { x: labelW + w + 4, y: y + 14 }, r.value + unit));
    });
    return chart;
  }

  // ---- a result across documents: a sortable table (click a column header) and a chart ---------------------
  function cellText(cell) {
    if (cell === null || cell === undefined) return "";
    return typeof cell === "object" ? String(cell.text || "") : String(cell);
  }
  function cellSortKey(cell, type) {
    if (type === "number") { var v = parseFloat(cell && typeof cell === "object" ? cell.value : cell); return isFinite(v) ? v : -Infinity; }
    return cellText(cell);
  }
  function resultTable(table, onCite) {
    var cols = table.columns || [], rows = (table.rows || []).slice(), sortKey = null, asc = true;
    var tbody = el("tbody");
    function fill() {
      tbody.textContent = "";
      rows.forEach(function (r) {
        var tds = cols.map(function (c) { return el("td", { class: c.type === "number" ? "num" : null, text: cellText(r.cells[c.key]) }); });
        tds.push(el("td", null, [r.cite ? el("button", { type: "button", class: "cite", "aria-label": "来源 " + r.cite,
          onclick: function () { onCite(r.cite); } }, ["[" + r.cite + "]"]) : ""]));
        tbody.appendChild(el("tr", null, tds));
      });
    }
    var head = el("tr", null, cols.map(function (c) {
      var th = el("th", { scope: "col", "aria-sort": "none" }, [el("button", { type: "button", text: c.label, onclick: function () {
        asc = sortKey === c.key ? !asc : true; sortKey = c.key;
        rows.sort(function (a, b) {
          var x = cellSortKey(a.cells[c.key], c.type), y = cellSortKey(b.cells[c.key], c.type);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        Array.prototype.forEach.call(head.children, function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        fill();
      } })]);
      return th;
    }).concat([el("th", { scope: "col", text: t("sources") })]));
    fill();
    return el("div", { class: "rtable" }, [el("table", null, [
      table.title ? el("caption", { text: table.title }) : null, el("thead", null, [head]), tbody])]);
  }
  function tableChart(table) {
    var ch = table.chart;
    if (!ch) return null;
    var pts = (table.rows || []).map(function (r) {
      var y = r.cells[ch.y];
      return { x: cellText(r.cells[ch.x]), v: parseFloat(y && typeof y === "object" ? y.value : y), s: ch.series ? cellText(r.cells[ch.series]) : "" };
    }).filter(function (p) { return isFinite(p.v); });
    if (pts.length < 2) return null;
    var label = t("chart") + "：" + pts.map(function (p) { return (p.s ? p.s + " " : "") + p.x + " " + p.v; }).join("，");
    if (ch.type !== "line") {
      return barChart({ inputs: pts.slice(0, 30).map(function (p) { return { label: p.x, value: p.v, unit: "" }; }) });
    }
    var W = 300, H = 140, pad = 28, xs = [], series = {};
    pts.forEach(function (p) { if (xs.indexOf(p.x) < 0) xs.push(p.x); (series[p.s] = series[p.s] || []).push(p); });
    xs.sort();
    var vals = pts.map(function (p) { return p.v; }), lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
    if (hi === lo) { hi += 1; lo -= 1; }
    function X(x) { return pad + (W - 2 * pad) * (xs.length > 1 ? xs.indexOf(x) / (xs.length - 1) : 0.5); }
    function Y(v) { return H - pad - (H - 2 * pad) * (v - lo) / (hi - lo); }
    var chart = svg("svg", { width: "100%", viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": label });
    var colours = ["#a8071a", "#0b57d0", "#237804", "#ad4e00", "#531dab", "#006d75"];
    Object.keys(series).slice(0, colours.length).forEach(function (name, i) {
      var line = series[name].map(function (p) { return X(p.x) + "," + Y(p.v); }).join(" ");
      chart.appendChild(svg("polyline", { points: line, fill: "none", stroke: colours[i], "stroke-width": 2 }));
      series[name].forEach(function (p) { chart.appendChild(svg("circle", { cx: X(p.x), cy: Y(p.v), r: 3, fill: colours[i] })); });
    });
    xs.forEach(function (x) { chart.appendChild(svg("text", { x: X(x) - 12, y: H - 8 }, x)); });
    chart.appendChild(svg("text", { x: 0, y: 12 }, String(hi)));
    chart.appendChild(svg("text", { x: 0, y: H - pad }, String(lo)));
    return chart;
  }

  // ---- SSE reader for the UI message stream --------------------------------------------------
  function readStream(response, onPart) {
    var reader = response.body.getReader(), decoder = new TextDecoder(), buf = "";
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) return;
        buf += decoder.decode(r.value, { stream: true });
        var idx;
        while ((idx = buf.indexOf("\n\n")) >= 0) {
          var block = buf.slice(0, idx); buf = buf.slice(idx + 2);
          var data = block.split("\n").filter(function (l) { return l.indexOf("data:") === 0; })
            .map(function (l) { return l.slice(5).replace(/^ /, ""); }).join("\n");
          if (!data || data === "[DONE]") continue;
          try { onPart(JSON.parse(data)); } catch (e) { /* ignore a malformed part */ }
        }
        return pump();
      });
    }
    return pump();
  }

  function Widget(opts) {
    this.api = (opts.apiBase || "").replace(/\/+$/, "");
    this.key = opts.key || "";
    this.title = opts.title || "绩效问答";
    this.mode = opts.mode === "inline" ? "inline" : "floating";
    this.storeKey = "jixiao:" + this.api + ":" + (this.key || "-");
    this.state = this.load();
    this.docs = [];
    this.busy = null;
    this.lastQuestion = "";
    this.build(opts.target);
  }

  Widget.prototype.load = function () {
    try { return JSON.parse(localStorage.getItem(this.storeKey)) || { cid: "", messages: [] }; }
    catch (e) { return { cid: "", messages: [] }; }
  };
  Widget.prototype.save = function () {
    try {
      this.state.messages = this.state.messages.slice(-40);
      localStorage.setItem(this.storeKey, JSON.stringify(this.state));
    } catch (e) { /* storage full or disabled: the conversation still works */ }
  };
  Widget.prototype.headers = function (json) {
    var h = { Accept: json ? "application/json" : "text/event-stream" };
    if (this.key) h.Authorization = "Bearer " + this.key;
    return h;
  };

  Widget.prototype.build = function (target) {
    var self = this;
    var host = el("div", { "data-jixiao-widget": "" });
    (target || document.body).appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    this.root = root;
    // constructable stylesheets are not inline styles, so a strict portal CSP does not block them
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); root.adoptedStyleSheets = [sheet];
    } else root.appendChild(el("style", { text: CSS }));
    var panelId = "jixiao-panel";
    if (this.mode === "floating") {
      this.launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false",
        "aria-controls": panelId, text: this.title, "aria-label": t("open"),
        onclick: function () { self.toggle(true); } });
      root.appendChild(this.launcher);
    }
    this.docSelect = el("select", { id: "jx-docs", "aria-label": t("docs") }, [el("option", { value: "", text: t("allDocs") })]);
    this.docSelect.addEventListener("change", function () {
      var box = self.log.querySelector(".sugg");
      if (box) { box.remove(); self.suggest(); }
    });
    this.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
      "aria-label": "对话记录", tabindex: "0" });
    this.input = el("textarea", { id: "jx-input", "aria-label": t("input"), placeholder: t("placeholder"), rows: "2" });
    this.sendBtn = el("button", { type: "submit", text: t("send"), "aria-label": t("send") });
    this.viewerBody = el("div", { class: "body", tabindex: "0" });
    this.viewerTitle = el("h2", { text: t("viewer") });
    this.viewer = el("div", { class: "viewer", hidden: true, role: "dialog", "aria-label": t("viewer") }, [
      el("header", null, [this.viewerTitle, el("button", { type: "button", text: t("close"), "aria-label": "关闭原文",
        onclick: function () { self.closeViewer(); } })]),
      this.viewerBody
    ]);
    var form = el("form", { onsubmit: function (e) { e.preventDefault(); self.onSend(); } }, [this.input, this.sendBtn]);
    this.input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); self.onSend(); }
    });
    this.panel = el("section", { id: panelId, class: "panel " + this.mode, role: this.mode === "floating" ? "dialog" : "region",
      "aria-label": this.title, hidden: this.mode === "floating" }, [
      el("header", null, [el("h2", { text: this.title }),
        el("button", { type: "button", text: t("newChat"), onclick: function () { self.reset(); } }),
        this.mode === "floating" ? el("button", { type: "button", text: t("close"), "aria-label": t("close"),
          onclick: function () { self.toggle(false); } }) : null]),
      el("div", { class: "toolbar" }, [el("label", { for: "jx-docs", text: t("docs") }), this.docSelect]),
      this.log, form, this.viewer
    ]);
    this.panel.style.position = this.mode === "inline" ? "relative" : "";
    root.appendChild(this.panel);
    root.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      if (!self.viewer.hidden) { self.closeViewer(); e.stopPropagation(); }
      else if (self.mode === "floating" && !self.panel.hidden) self.toggle(false);
    });
    this.restore();
    if (this.mode === "inline") this.loadDocs();
  };

  Widget.prototype.toggle = function (open) {
    if (!this.launcher) return;
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    if (open) { this.loadDocs(); this.input.focus(); } else this.launcher.focus();
  };

  // the picker names a document by what it is about (unit · project · year), its title otherwise
  function docLabel(d) {
    var id = d.identity || {};
    var parts = [id.unit, id.project, id.period || (id.year ? id.year + "年度" : "")].filter(Boolean);
    return parts.length >= 2 ? parts.join(" · ") : (d.title || d.path || d.doc_id);
  }

  Widget.prototype.loadDocs = function () {
    var self = this;
    if (this.docsLoaded) return;
    this.docsLoaded = true;
    fetch(this.api + "/api/v1/documents", { headers: this.headers(true) }).then(function (r) {
      return r.ok ? r.json() : [];
    }).then(function (body) {
      var docs = Array.isArray(body) ? body : (body.documents || body.items || []);
      self.docs = docs.filter(function (d) { return !d.status || d.status === "ok"; });
      self.docs.forEach(function (d) {
        self.docSelect.appendChild(el("option", { value: d.doc_id, text: docLabel(d) }));
      });
      if (!self.state.messages.length) self.suggest();
    }).catch(function () { self.docsLoaded = false; if (!self.state.messages.length) self.suggest(); });
  };

  Widget.prototype.suggest = function () {
    var self = this;
    if (this.log.querySelector(".sugg")) return;
    var box = el("div", { class: "sugg" }, [el("p", { text: t("welcome") })]);
    this.log.appendChild(box);
    // questions made from the loaded documents (their tables, sections, policies)
    var url = this.api + "/api/v1/suggestions" + (this.docSelect.value ? "?document_ids=" + encodeURIComponent(this.docSelect.value) : "");
    fetch(url, { headers: this.headers(true) }).then(function (r) { return r.ok ? r.json() : { questions: [] }; })
      .catch(function () { return { questions: [] }; })
      .then(function (body) {
        var qs = (body && body.questions) || [];
        if (!qs.length) qs = ["预算执行率是多少？", "评价得分和等级是多少？", "报告指出了哪些主要问题？"];
        if (!box.isConnected) return;
        box.appendChild(el("p", { text: t("suggested") }));
        qs.forEach(function (q) {
          box.appendChild(el("button", { type: "button", text: q, onclick: function () { self.input.value = q; self.onSend(); } }));
        });
      });
  };

  Widget.prototype.reset = function () {
    if (this.busy) this.busy.abort();
    this.state = { cid: "", messages: [] };
    this.save();
    this.log.textContent = "";
    this.suggest();
    this.input.focus();
  };

  Widget.prototype.restore = function () {
    var self = this;
    this.state.messages.forEach(function (m) {
      if (m.role === "user") self.addUser(m.content);
      else self.renderAnswer(self.newBotBubble(), m);
    });
  };

  Widget.prototype.addUser = function (text) {
    var s = this.log.querySelector(".sugg"); if (s) s.remove();
    this.log.appendChild(el("div", { class: "msg user" }, [el("span", { class: "sr", text: t("you") + "：" }), text]));
  };
  Widget.prototype.newBotBubble = function () {
    var b = el("div", { class: "msg bot" });
    this.log.appendChild(b);
    this.scrollTo(b);
    return b;
  };
  // keep the start of the newest answer in view (within the panel only, never the portal page)
  Widget.prototype.scrollTo = function (node) {
    this.log.scrollTop = Math.max(0, node.offsetTop - this.log.offsetTop - 48);
  };

  Widget.prototype.setBusy = function (ctrl) {
    this.busy = ctrl;
    this.sendBtn.textContent = ctrl ? t("stop") : t("send");
    this.sendBtn.className = ctrl ? "stop" : "";
    this.sendBtn.setAttribute("aria-label", ctrl ? t("stop") : t("send"));
  };

  Widget.prototype.onSend = function () {
    if (this.busy) { this.busy.abort(); return; }
    var q = this.input.value.trim();
    if (!q) { this.input.focus(); return; }
    this.input.value = "";
    this.ask(q);
  };

  Widget.prototype.ask = function (q) {
    var self = this;
    this.lastQuestion = q;
    this.addUser(q);
    this.state.messages.push({ role: "user", content: q }); this.save();
    var bubble = this.newBotBubble();
    bubble.setAttribute("aria-busy", "true");
    var status = el("div", { class: "status", text: t("searching") });
    var textNode = el("div");
    bubble.appendChild(status); bubble.appendChild(textNode);
    var ctrl = new AbortController();
    this.setBusy(ctrl);
    var msg = { role: "assistant", content: "", citations: [], computations: [], grounded: true };
    var body = { message: q, stream: true };
    if (this.state.cid) body.conversation_id = this.state.cid;
    if (this.docSelect.value) body.document_ids = [this.docSelect.value];
    var headers = this.headers(false); headers["Content-Type"] = "application/json";
    var timer = setTimeout(function () { ctrl.abort("timeout"); }, 120000);
    fetch(this.api + "/api/v1/chat", { method: "POST", headers: headers, body: JSON.stringify(body), signal: ctrl.signal })
      .then(function (r) {
        if (!r.ok) return r.json().catch(function () { return {}; }).then(function (j) { throw { status: r.status, body: j, retry: r.headers.get("Retry-After") }; });
        return readStream(r, function (part) { self.onPart(part, msg, status, textNode); });
      })
      .then(function () {
        self.finish(bubble, msg);
      })
      .catch(function (err) {
        if (ctrl.signal.aborted && ctrl.signal.reason !== "timeout") {
          msg.content += t("stopped"); self.finish(bubble, msg); return;
        }
        bubble.removeAttribute("aria-busy");
        bubble.textContent = "";
        var timedOut = ctrl.signal.reason === "timeout";
        if (timedOut || (err && err.status)) { self.showError(bubble, err, timedOut); return; }
        // a network error: either the service is down, or it refused this origin (CORS hides
        // the 403 from us). An opaque no-cors request tells the two apart.
        return fetch(self.api + "/healthz", { mode: "no-cors", cache: "no-store" })
          .then(function () { self.showError(bubble, { status: 403 }, false); },
                function () { self.showError(bubble, err, timedOut); });
      })
      .then(function () { clearTimeout(timer); self.setBusy(null); });
  };

  Widget.prototype.onPart = function (p, msg, status, textNode) {
    var type = p.type || "";
    if (type === "text-delta") {
      msg.content += p.delta || ""; textNode.textContent = msg.content;
      status.textContent = t("writing");
    } else if (type === "tool-input-start" || type === "tool-input-available") {
      status.textContent = p.toolName === "compute_metric" ? t("computing") : t("searching");
    } else if (type === "tool-output-available") {
      var out = p.output || {};
      if (out && out.metric && out.formula) msg.computations.push(out);
    } else if (type === "source-document" || type === "source-url") {
      var meta = (p.providerMetadata && p.providerMetadata.jixiao) || {};
      msg.citations.push({ n: meta.n || msg.citations.length + 1, doc_id: meta.doc_id || "", title: meta.title || p.title || "",
        page: meta.page || 0, quote: meta.quote || "", url: p.url || "" });
    } else if (type.indexOf("data-") === 0) {
      var d = p.data || {};
      if (type === "data-progress" || type === "data-status") status.textContent = t(d.stage || "") || d.detail || status.textContent;
      if (d.answer !== undefined || type === "data-answer") {
        if (typeof d.answer === "string") msg.content = d.answer;
        if (d.citations) msg.citations = d.citations;
        if (d.computations) msg.computations = d.computations;
        if (d.table) msg.table = d.table;
        if (d.grounded !== undefined) msg.grounded = d.grounded;
        if (d.conversation_id) this.state.cid = d.conversation_id;
      }
      if (d.conversation_id) this.state.cid = d.conversation_id;
    } else if (type === "start" && p.messageMetadata && p.messageMetadata.conversation_id) {
      this.state.cid = p.messageMetadata.conversation_id;
    } else if (type === "finish" && p.messageMetadata) {
      // the finish part carries the whole grounded answer: it is authoritative
      var mm = p.messageMetadata;
      if (mm.conversation_id) this.state.cid = mm.conversation_id;
      if (mm.grounded !== undefined) msg.grounded = mm.grounded;
      if (typeof mm.answer === "string") msg.content = mm.answer;
      if (mm.citations) msg.citations = mm.citations;
      if (mm.computations) msg.computations = mm.computations;
      if (mm.table) msg.table = mm.table;
    } else if (type === "error") {
      throw { status: 500, body: { message: p.errorText || "" } };
    }
  };

  Widget.prototype.finish = function (bubble, msg) {
    this.state.messages.push(msg); this.save();
    this.renderAnswer(bubble, msg);
    bubble.removeAttribute("aria-busy");
    this.scrollTo(bubble);
  };

  Widget.prototype.renderAnswer = function (bubble, msg) {
    var self = this;
    bubble.textContent = "";
    bubble.appendChild(el("span", { class: "sr", text: t("bot") + "：" }));
    if (msg.grounded === false) bubble.appendChild(el("div", { class: "warn", role: "note", text: "⚠ " + t("ungrounded") }));
    var cites = msg.citations || [];
    function openN(n) {
      var c = cites.filter(function (x) { return x.n === n; })[0];
      if (c) self.openSource(c);
    }
    var body = el("div", { class: "content" });
    body.appendChild(renderMarkdown(msg.content || "", openN));
    bubble.appendChild(body);
    if (msg.table && (msg.table.rows || []).length) {
      bubble.appendChild(resultTable(msg.table, openN));
      var tchart = tableChart(msg.table);
      if (tchart) bubble.appendChild(tchart);
    }
    if (cites.length) {
      var ol = el("ol");
      cites.forEach(function (c) {
        ol.appendChild(el("li", null, [el("button", { type: "button", class: "src",
          "aria-label": "来源 " + c.n + "：" + (c.title || "") + " " + place(c),
          onclick: function () { self.openSource(c); } }, [
          el("strong", { text: "[" + c.n + "] " }), (c.title || "") + " · " + place(c),
          c.quote ? el("span", { class: "q", text: "“" + c.quote + "”" }) : null])]));
      });
      bubble.appendChild(el("div", { class: "sources" }, [el("h3", { text: t("sources") }), ol]));
    }
    var comps = msg.computations || [];
    if (comps.length) {
      var list = el("ol");
      comps.forEach(function (c) {
        var inputs = el("ul");
        (c.inputs || []).forEach(function (i) {
          var src = i.source || {}, label = (i.label || i.name || "") + "：" + i.value + (i.unit || "");
          var go = src.doc_id && src.page ? el("button", { type: "button", class: "loc", text: t("locate"),
            "aria-label": t("locate") + "：" + label, onclick: function () {
              var doc = cites.filter(function (x) { return x.doc_id === src.doc_id; })[0] ||
                self.docs.filter(function (d) { return d.doc_id === src.doc_id; })[0] || {};
              self.openSource({ doc_id: src.doc_id, page: src.page, title: doc.title || "", quote: "", figure: label,
                boxes: src.boxes || [], locations: src.locations || [] });
            } }) : null;
          inputs.appendChild(el("li", null, [label,
            src.page ? "（" + (src.table ? src.table + "，" : "") + t("page", { p: src.page }) + "）" : "", go]));
        });
        var item = el("li", null, [
          el("strong", { text: c.name_zh || c.metric }),
          el("div", null, [t("formula") + "：", el("code", { text: c.formula || "" })]),
          c.formula_words ? el("div", { text: c.formula_words }) : null,
          el("div", { text: t("inputs") + "：" }), inputs,
          el("div", null, [t("result") + "：", el("strong", { text: c.display || (c.value + (c.unit || "")) })])
        ]);
        var chart = barChart(c);
        if (chart) item.appendChild(chart);
        list.appendChild(item);
      });
      bubble.appendChild(el("details", { class: "comp" }, [el("summary", { text: t("computations") + "（" + comps.length + "）" }), list]));
    }
    var copyBtn = el("button", { type: "button", text: t("copy"), onclick: function () {
      var text = (msg.content || "") + (cites.length ? "\n\n" + cites.map(function (c) { return "[" + c.n + "] " + c.title + " " + t("page", { p: c.page }); }).join("\n") : "");
      (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(function () { copyBtn.textContent = t("copied"); }, function () {});
    } });
    bubble.appendChild(el("div", { class: "actions" }, [copyBtn]));
  };

  Widget.prototype.showError = function (bubble, err, timedOut) {
    var self = this, s = err && err.status, text;
    if (timedOut || s === 504) text = t("timeout");
    else if (s === 429) text = t("limited", { s: err.retry || "60" });
    else if (s === 401 || s === 403) text = t("auth");
    else if (s) text = t("server", { m: (err.body && (err.body.message || (err.body.error && err.body.error.message))) || s });
    else text = t("down");
    var retry = s === 401 || s === 403 ? null : el("button", { type: "button", text: t("retry"), onclick: function () {
      bubble.remove();
      self.state.messages.pop(); self.save();
      var users = self.log.querySelectorAll(".msg.user"); if (users.length) users[users.length - 1].remove();
      self.ask(self.lastQuestion);
    } });
    bubble.appendChild(el("div", { class: "err", role: "alert" }, [text, retry]));
  };

  Widget.prototype.openSource = function (c) {
    var self = this;
    var sheet = ((c.locations || []).filter(function (l) { return l.sheet; })[0] || {}).sheet;
    this.viewerTitle.textContent = (c.title || t("viewer")) + " · " + (sheet ? "工作表 " + sheet : t("page", { p: c.page }));
    var body = this.viewerBody;
    body.textContent = "";
    // the service signs its citation links (a browser cannot send a Bearer header on navigation)
    // only http(s) links: a javascript: url in an answer must never become a clickable link
    var fileUrl = c.url && /^https?:\/\//i.test(c.url) ? (c.url.indexOf("#") < 0 ? c.url + "#page=" + c.page : c.url)
      : this.api + "/api/v1/documents/" + encodeURIComponent(c.doc_id) + "/file#page=" + c.page;
    if (c.quote || c.figure) body.appendChild(el("p", null, [el("strong", { text: t("quote") + "：" }), el("mark", { text: c.quote || c.figure })]));
    var office = (c.locations || []).length > 0 || c.file_type === "xlsx" || c.file_type === "docx";
    body.appendChild(el("p", null, [el("a", { href: fileUrl, target: "_blank", rel: "noopener", text: t(office ? "openFile" : "openPdf") })]));
    var figure = this.pageFigure(c) || this.gridFigure(c);
    if (figure) body.appendChild(figure);
    body.appendChild(el("h3", { text: t("pageText") }));
    var pageText = el("div", { class: "pagetext", text: "…" });
    body.appendChild(pageText);
    this.viewer.hidden = false;
    this.viewer.querySelector("button").focus();
    fetch(this.api + "/api/v1/documents/" + encodeURIComponent(c.doc_id) + "/pages/" + c.page, { headers: this.headers(true) })
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (j) {
        var text = j.text || "", span = locate(text, c.quote);
        pageText.textContent = "";
        if (!span) { pageText.textContent = text; return; }
        pageText.appendChild(document.createTextNode(text.slice(0, span[0])));
        var mark = el("mark", { text: text.slice(span[0], span[1]) }); pageText.appendChild(mark);
        pageText.appendChild(document.createTextNode(text.slice(span[1])));
        if (!figure && mark.scrollIntoView) mark.scrollIntoView({ block: "center" });
      })
      .catch(function () { pageText.textContent = ""; pageText.appendChild(el("iframe", { src: fileUrl, title: self.viewerTitle.textContent })); });
  };

  // the page as printed (an image from jixiao), the cited lines or cells boxed over it; null without boxes
  Widget.prototype.pageFigure = function (c) {
    var self = this, boxes = (c.boxes || []).filter(function (b) { return b.page === c.page && b.page_width > 0; });
    if (!boxes.length) return null;
    var img = el("img", { alt: t("pageImage", { p: c.page }) });
    var fig = el("div", { class: "pageimg", hidden: true }, [img]);
    boxes.forEach(function (b) {
      var d = el("div", { class: "box" + (b.focus ? " focus" : ""), "aria-hidden": "true" });
      d.style.left = (100 * b.x0 / b.page_width) + "%"; d.style.top = (100 * b.top / b.page_height) + "%";
      d.style.width = (100 * (b.x1 - b.x0) / b.page_width) + "%";
      d.style.height = (100 * (b.bottom - b.top) / b.page_height) + "%";
      fig.appendChild(d);
    });
    var zoom = el("button", { type: "button", text: t("zoomIn"), "aria-pressed": "false", onclick: function () {
      var on = fig.classList.toggle("zoomed");
      zoom.textContent = t(on ? "zoomOut" : "zoomIn"); zoom.setAttribute("aria-pressed", on ? "true" : "false");
      self.focusBox(fig);
    } });
    var wrap = el("div", { hidden: true }, [el("div", { class: "tools" }, [zoom]), fig]);
    // sharp at the panel's width and the screen's pixel density (2x at 200% zoom), in half steps for the cache
    var px = Math.max(this.viewerBody.clientWidth, 320) * (window.devicePixelRatio || 1);
    var scale = Math.min(4, Math.max(0.5, Math.ceil(2 * px / boxes[0].page_width) / 2));
    var headers = this.headers(true); headers.Accept = "image/png";
    fetch(this.api + "/api/v1/documents/" + encodeURIComponent(c.doc_id) + "/pages/" + c.page + ".png?scale=" + scale,
      { headers: headers })
      .then(function (r) { if (!r.ok) throw r; return r.blob(); })
      .then(function (blob) {
        self.dropImage();
        self.imageUrl = URL.createObjectURL(blob);
        img.onload = function () { wrap.hidden = false; fig.hidden = false; self.focusBox(fig); };
        img.onerror = function () { wrap.remove(); };
        img.src = self.imageUrl;
      })
      .catch(function () { wrap.remove(); });  // the page text below remains
    return wrap;
  };

  // an xlsx/docx (no page image): the cited sheet or Word table as a table, the cited cells marked and
  // scrolled to, under a caption naming them ("工作表 Sheet1，C7", "第2个表格，第3行第2列"); null without locations
  Widget.prototype.gridFigure = function (c) {
    var self = this, locs = c.locations || [];
    if (!locs.length) return null;
    var marked = locs.filter(function (l) { return l.focus; });
    var named = caption(marked.length ? marked : locs);
    var cells = locs.filter(function (l) { return l.kind === "cell"; });
    if (!cells.length) return el("p", { class: "where", text: t("where") + named });  // paragraphs: the text view marks them
    var first = (marked.filter(function (l) { return l.kind === "cell"; })[0]) || cells[0];
    var mine = cells.filter(function (l) { return l.page === first.page && l.sheet === first.sheet && l.table === first.table; });
    var wrap = el("div", { class: "sheet", role: "region", tabindex: "0", "aria-label": named, hidden: true });
    var url = this.api + "/api/v1/documents/" + encodeURIComponent(c.doc_id) + "/pages/" + first.page + "/grid?row=" + first.row +
      (first.table ? "&table=" + first.table : "");
    fetch(url, { headers: this.headers(true) })
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (g) {
        wrap.appendChild(gridTable(g, mine, named));
        wrap.hidden = false;
        var hit = wrap.querySelector("td.focus") || wrap.querySelector("td.hit");
        if (hit && hit.scrollIntoView) hit.scrollIntoView({ block: "center", inline: "center" });
      })
      .catch(function () { wrap.remove(); });  // the page text below remains
    return wrap;
  };

  // where a citation is: its page (a PDF), or its cells or paragraphs (an xlsx/docx)
  function place(c) {
    var locs = c.locations || [], marked = locs.filter(function (l) { return l.focus; });
    return locs.length ? caption(marked.length ? marked : locs) : t("page", { p: c.page });
  }

  // "工作表 表1，G6、H14；工作表 表2，G6": the cited places, grouped by sheet or table
  function caption(locs) {
    var groups = [], by = {}, shown = locs.slice(0, 8);
    shown.forEach(function (l) {
      var label = l.label || "", cut = label.indexOf("，"), head = cut < 0 ? "" : label.slice(0, cut), rest = cut < 0 ? label : label.slice(cut + 1);
      if (!(head in by)) { by[head] = []; groups.push(head); }
      by[head].push(rest);
    });
    var text = groups.map(function (h) { return (h ? h + "，" : "") + by[h].join("、"); }).join("；");
    return text + (locs.length > shown.length ? t("more", { n: locs.length }) : "");
  }

  // the grid endpoint's cells as an HTML table: row numbers and column letters (numbers for a Word table) as
  // headers, merged cells spanning, a merged cell cut at the window's edge
  function gridTable(g, cited, named) {
    var rows = g.last_row - g.first_row + 1, cols = g.last_col - g.first_col + 1;
    var start = {}, covered = {};
    (g.cells || []).forEach(function (cell) {
      var r0 = Math.max(cell.row, g.first_row), r1 = Math.min(cell.row + cell.row_span - 1, g.last_row);
      var c0 = Math.max(cell.col, g.first_col), c1 = Math.min(cell.col + cell.col_span - 1, g.last_col);
      if (r0 > r1 || c0 > c1) return;
      start[r0 + ":" + c0] = { cell: cell, rows: r1 - r0 + 1, cols: c1 - c0 + 1 };
      for (var r = r0; r <= r1; r++) for (var c = c0; c <= c1; c++) if (r !== r0 || c !== c0) covered[r + ":" + c] = true;
    });
    var hits = {};
    cited.forEach(function (l) { hits[l.row + ":" + l.col] = hits[l.row + ":" + l.col] || l.focus; });
    var head = el("tr", null, [el("th", { scope: "col", "aria-label": g.sheet ? "行号" : "行" })]);
    for (var c = 0; c < cols; c++) head.appendChild(el("th", { scope: "col", text: g.sheet ? colLetter(g.first_col + c) : String(g.first_col + c) }));
    var table = el("table", null, [el("caption", { text: named }), el("thead", null, [head])]);
    var tbody = el("tbody");
    for (var i = 0; i < rows; i++) {
      var row = g.first_row + i, tr = el("tr", null, [el("th", { scope: "row", text: String(row) })]);
      for (var j = 0; j < cols; j++) {
        var col = g.first_col + j, key = row + ":" + col;
        if (covered[key]) continue;
        var s = start[key], text = s ? s.cell.text : "";
        var at = s ? s.cell.row + ":" + s.cell.col : key, hit = at in hits;
        var td = el("td", { class: (/^[-+]?[\d,.]+%?$/.test(text) ? "num" : "") + (hit ? " hit" : "") + (hit && hits[at] ? " focus" : ""),
          rowspan: s && s.rows > 1 ? String(s.rows) : null, colspan: s && s.cols > 1 ? String(s.cols) : null,
          "data-ref": s && s.cell.ref ? s.cell.ref : null }, [text, hit ? el("span", { class: "sr", text: t("cited") }) : null]);
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    return table;
  }

  function colLetter(n) {
    var s = "";
    while (n > 0) { var m = (n - 1) % 26; s = String.fromCharCode(65 + m) + s; n = Math.floor((n - 1) / 26); }
    return s;
  }

  Widget.prototype.focusBox = function (fig) {
    var box = fig.querySelector(".box.focus") || fig.querySelector(".box");
    if (box && box.scrollIntoView) box.scrollIntoView({ block: "center", inline: "center" });
  };

  Widget.prototype.dropImage = function () {
    if (this.imageUrl) { URL.revokeObjectURL(this.imageUrl); this.imageUrl = null; }
  };

  Widget.prototype.closeViewer = function () {
    this.dropImage();
    this.viewer.hidden = true;
    this.input.focus();
  };

  function mount(opts) {
    opts = opts || {};
    var base = opts.apiBase || (script && script.src ? new URL(script.src, location.href).origin : location.origin);
    var target = null;
    if (opts.mode === "inline") {
      target = typeof opts.target === "string" ? document.querySelector(opts.target) : opts.target;
      if (!target) { console.error("[jixiao] data-target not found:", opts.target); return null; }
    }
    return new Widget({ apiBase: base, key: opts.key, title: opts.title, mode: opts.mode, target: target });
  }

  window.JixiaoWidget = { loaded: true, mount: mount, version: "1" };
  if (ds.autoload !== "false") {
    var go = function () {
      window.JixiaoWidget.instance = mount({ apiBase: ds.apiBase, key: ds.key, title: ds.title, mode: ds.mode, target: ds.target });
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go); else go();
  }
})();
