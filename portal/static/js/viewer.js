// The reading-copy viewer: pdf.js (vendored pdfjs-dist) with its PDFViewer component.
// No text layer, no annotations, no download/print/open controls. The context menu and
// the save/print shortcuts are intercepted as a deterrent; the watermark is the protection.
const container = document.getElementById("viewerContainer");
const $ = (id) => document.getElementById(id);

function showError(message) {
  const box = document.createElement("p");
  box.className = "flash flash-error";
  box.setAttribute("role", "alert");
  box.textContent = message;
  container.replaceChildren(box);
}

// A page asked for by link: /doc/<item>#trang=12 (also #page=12, as pdf.js links write it).
function pageFromHash() {
  const match = /^#(?:trang|page)=(\d{1,6})$/.exec(window.location.hash);
  return match ? parseInt(match[1], 10) : 1;
}

// pdf.js's rangeChunkSize below: ranges are asked for in these aligned chunks. Small, so a range
// holds little beyond what it is for (pdf.js asks for neighbouring chunks in one request anyway).
const CHUNK = 4096;

function fetchRange(url, begin, end) {
  return fetch(url, { credentials: "same-origin", cache: "no-store",
                      headers: { Range: `bytes=${begin}-${end - 1}` } })
    .then((response) => {
      if (response.status !== 206) throw new Error(`range ${begin}-${end}: ${response.status}`);
      return response.arrayBuffer();
    });
}

// pdf.js's worker is the largest download of a first visit (1.3 MB, about 0.33 MB compressed):
// start it now, in parallel with the library, rather than when the library asks for it. (A
// modulepreload would not do: a worker's script is fetched for a worker, not as a module script.)
const worker = new Worker(container.dataset.workerUrl, { type: "module" });

async function main() {
  const data = container.dataset;
  const length = parseInt(data.pdfLength, 10);
  // What pdf.js asks for first is the file's head (the page tree), its cross-reference table at
  // the end, and then the first page's content and image, one range after another as it parses
  // each. Fetch them all now, in two ranges, while pdf.js itself is still loading: the server
  // says where the head and the first page end and where the table begins (data-*-end,
  // data-xref-start). Opened at another page by link, only the head is fetched ahead.
  const early = [];
  const ahead = (begin, end) => {
    const pending = fetchRange(data.pdfUrl, begin, end);
    pending.catch(() => {});  // a failure is reported when pdf.js asks for the range, not before
    early.push({ begin, end, pending });
  };
  const alignUp = (offset) => Math.min(Math.ceil(offset / CHUNK) * CHUNK, length);
  if (length > 0) {
    const wanted = pageFromHash() === 1 ? data.firstPageEnd : data.headEnd;
    const headEnd = alignUp(Math.max(CHUNK, parseInt(wanted, 10) || 0));
    ahead(0, headEnd);
    const xref = parseInt(data.xrefStart, 10) || length - 1;
    const tailStart = Math.max(headEnd, Math.floor(xref / CHUNK) * CHUNK);
    if (tailStart < length) ahead(tailStart, length);
  }
  const pdfjsLib = await import(data.libUrl);
  globalThis.pdfjsLib = pdfjsLib;  // pdf_viewer.mjs reads the library from here
  pdfjsLib.GlobalWorkerOptions.workerPort = worker;
  // Ask for the document first, then load the viewer component while its first ranges arrive.
  // pdf.js gets the bytes through our own range transport: every request is a Range request for
  // the chunks pdf.js needs (the file's head, its cross-reference table, the pages shown and the
  // next one), never a first whole-file GET that the server would count as a full download.
  const transport = new pdfjsLib.PDFDataRangeTransport(length, null);
  transport.requestDataRange = (begin, end) => {
    const covering = early.find((range) => range.begin <= begin && end <= range.end);
    const pending = covering
      ? covering.pending.then((buffer) => buffer.slice(begin - covering.begin, end - covering.begin))
      : fetchRange(data.pdfUrl, begin, end);
    pending
      .then((buffer) => transport.onDataRange(begin, new Uint8Array(buffer)))
      .catch(() => showError(data.error));
  };
  const task = pdfjsLib.getDocument({
    range: transport,
    length,
    // Fetch only the ranges of the pages being shown (and the next one, which PDFViewer renders
    // ahead once the visible page is done): never the whole file, never the pages skipped.
    disableAutoFetch: true,
    disableStream: true,
    rangeChunkSize: CHUNK,
    isEvalSupported: false,
    enableXfa: false,
    wasmUrl: data.wasmUrl,
  });
  const { EventBus, PDFViewer } = await import(data.viewerUrl);

  const eventBus = new EventBus();
  const viewer = new PDFViewer({
    container,
    viewer: $("viewer"),
    eventBus,
    textLayerMode: 0,
    annotationMode: pdfjsLib.AnnotationMode.DISABLE,
    annotationEditorMode: pdfjsLib.AnnotationEditorType ? pdfjsLib.AnnotationEditorType.DISABLE : undefined,
    removePageBorders: false,
  });

  let pdf;
  try {
    pdf = await task.promise;
  } catch (err) {
    showError(data.error);
    return;
  }
  const showZoom = () => { $("zoomValue").textContent = `${Math.round(viewer.currentScale * 100)}%`; };
  // On the page asked for and fitted to the width before anything is drawn, so only that page
  // (and the pages before it not at all) is fetched and rendered. The page first: a scale set
  // while on page 1 would draw (and fetch) page 1 before the jump.
  eventBus.on("pagesinit", () => {
    const wanted = Math.min(Math.max(1, pageFromHash()), pdf.numPages);
    if (wanted > 1) viewer.currentPageNumber = wanted;
    viewer.currentScaleValue = "page-width";
    showZoom();
  });
  eventBus.on("scalechanging", showZoom);
  eventBus.on("pagechanging", (e) => {
    $("pageNumber").value = String(e.pageNumber);
    history.replaceState(null, "", `#trang=${e.pageNumber}`);  // the address names the page being read
    const back = document.querySelector(".data-saver-form input[name=next]");
    if (back) back.value = `${window.location.pathname}#trang=${e.pageNumber}`;  // the switch returns here
  });
  window.addEventListener("hashchange", () => { viewer.currentPageNumber = Math.min(pageFromHash(), pdf.numPages); });
  viewer.setDocument(pdf);
  $("pageCount").textContent = String(pdf.numPages);
  $("pageNumber").max = String(pdf.numPages);

  const go = (n) => { viewer.currentPageNumber = Math.min(Math.max(1, n), pdf.numPages); };
  const zoom = (factor) => { viewer.currentScale = Math.min(4, Math.max(0.25, viewer.currentScale * factor)); };
  $("prev").addEventListener("click", () => go(viewer.currentPageNumber - 1));
  $("next").addEventListener("click", () => go(viewer.currentPageNumber + 1));
  $("zoomIn").addEventListener("click", () => zoom(1.2));
  $("zoomOut").addEventListener("click", () => zoom(1 / 1.2));
  $("fitWidth").addEventListener("click", () => { viewer.currentScaleValue = "page-width"; });
  $("pageNumber").addEventListener("change", (e) => go(parseInt(e.target.value, 10) || 1));

  document.addEventListener("keydown", (e) => {
    const key = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && (key === "s" || key === "p" || key === "o")) {
      e.preventDefault();  // no save, print or open
      return;
    }
    if (e.target instanceof HTMLInputElement) return;
    if (key === "arrowright" || key === "pagedown" || key === "j") { go(viewer.currentPageNumber + 1); e.preventDefault(); }
    else if (key === "arrowleft" || key === "pageup" || key === "k") { go(viewer.currentPageNumber - 1); e.preventDefault(); }
    else if (key === "home") { go(1); e.preventDefault(); }
    else if (key === "end") { go(pdf.numPages); e.preventDefault(); }
    else if (key === "+" || key === "=") { zoom(1.2); e.preventDefault(); }
    else if (key === "-") { zoom(1 / 1.2); e.preventDefault(); }
  });
  setUpFind(viewer, eventBus, go);
  document.body.dataset.viewerReady = "1";
  container.focus();
}

// Search inside the copy: the hits come from the portal (the copy has no text layer), by page,
// with a snippet and the boxes of the matching words as fractions of the page; the boxes are
// drawn over the page image each time pdf.js draws the page.
function setUpFind(viewer, eventBus, go) {
  const form = $("findForm");
  if (!form) return;
  const panel = $("findPanel");
  const status = $("findStatus");
  const list = $("findHits");
  const labels = form.dataset;
  let hits = [];
  let current = -1;

  // The snippet is escaped by the server; only its <mark> elements are kept, everything else as text.
  function snippetNodes(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const out = [];
    for (const node of template.content.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.push(mark);
      } else {
        out.push(document.createTextNode(node.textContent));
      }
    }
    return out;
  }

  function drawBoxes(pageNumber, pageDiv) {
    if (!pageDiv) return;
    pageDiv.querySelectorAll(".find-layer").forEach((layer) => layer.remove());
    const hit = hits.find((h) => h.page === pageNumber);
    if (!hit || !hit.boxes.length) return;
    const layer = document.createElement("div");
    layer.className = "find-layer" + (hits[current] === hit ? " current" : "");
    layer.dataset.page = String(pageNumber);
    for (const [x0, y0, x1, y1] of hit.boxes) {
      const box = document.createElement("div");
      box.className = "find-box";
      box.style.left = `${(x0 * 100).toFixed(3)}%`;
      box.style.top = `${(y0 * 100).toFixed(3)}%`;
      box.style.width = `${((x1 - x0) * 100).toFixed(3)}%`;
      box.style.height = `${((y1 - y0) * 100).toFixed(3)}%`;
      layer.append(box);
    }
    pageDiv.append(layer);
  }

  function redrawAll() {
    document.querySelectorAll("#viewer .page").forEach((div) => {
      const number = parseInt(div.dataset.pageNumber, 10);
      if (div.querySelector("canvas")) drawBoxes(number, div);
      else div.querySelectorAll(".find-layer").forEach((layer) => layer.remove());
    });
  }

  function select(index) {
    if (!hits.length) return;
    current = (index + hits.length) % hits.length;
    list.querySelectorAll("li").forEach((li, i) => li.classList.toggle("current", i === current));
    go(hits[current].page);
    redrawAll();
  }

  eventBus.on("pagerendered", (e) => drawBoxes(e.pageNumber, e.source.div));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const query = $("findText").value.trim();
    panel.hidden = false;
    list.replaceChildren();
    hits = [];
    current = -1;
    redrawAll();
    $("findPrev").disabled = $("findNext").disabled = true;
    if (!query) { panel.hidden = true; return; }
    status.textContent = labels.busy;
    let answer;
    try {
      const response = await fetch(`${labels.searchUrl}?q=${encodeURIComponent(query)}`,
                                   { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.status === 429) { status.textContent = labels.limited; return; }
      if (!response.ok) throw new Error(String(response.status));
      answer = await response.json();
    } catch (err) {
      status.textContent = container.dataset.error;
      return;
    }
    hits = answer.hits;
    status.textContent = hits.length ? labels.count.replace("{n}", String(answer.pages)) : labels.none;
    hits.forEach((hit, i) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      const label = document.createElement("span");
      label.className = "find-page";
      label.textContent = labels.page.replace("{n}", String(hit.page)) + ":";
      button.append(label, ...snippetNodes(hit.snippet));
      button.addEventListener("click", () => select(i));
      li.append(button);
      list.append(li);
    });
    $("findPrev").disabled = $("findNext").disabled = hits.length === 0;
    if (hits.length) select(0);
  });
  $("findNext").addEventListener("click", () => select(current + 1));
  $("findPrev").addEventListener("click", () => select(current - 1));
}

document.addEventListener("contextmenu", (e) => e.preventDefault());
document.addEventListener("dragstart", (e) => e.preventDefault());
main().catch(() => showError(container.dataset.error));
