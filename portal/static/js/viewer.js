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

async function main() {
  const data = container.dataset;
  const pdfjsLib = await import(data.libUrl);
  globalThis.pdfjsLib = pdfjsLib;  // pdf_viewer.mjs reads the library from here
  pdfjsLib.GlobalWorkerOptions.workerSrc = data.workerUrl;
  // Ask for the document first, then load the viewer component while its first ranges arrive.
  // pdf.js gets the bytes through our own range transport: every request is a Range request for
  // the chunks pdf.js needs (the file's head, its cross-reference table, the pages shown and the
  // next one), never a first whole-file GET that the server would count as a full download.
  const length = parseInt(data.pdfLength, 10);
  const transport = new pdfjsLib.PDFDataRangeTransport(length, null);
  transport.requestDataRange = (begin, end) => {
    fetch(data.pdfUrl, { credentials: "same-origin", cache: "no-store",
                         headers: { Range: `bytes=${begin}-${end - 1}` } })
      .then((response) => {
        if (response.status !== 206) throw new Error(`range ${begin}-${end}: ${response.status}`);
        return response.arrayBuffer();
      })
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
    // A page weighs about 0.1-0.2 MB (bench/page_encoding.py): 64 KiB chunks fetch little beyond it.
    rangeChunkSize: 65536,
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
  // Fitted to the width and on the page asked for before anything is drawn, so only that page
  // (and the pages before it not at all) is fetched and rendered.
  eventBus.on("pagesinit", () => {
    viewer.currentScaleValue = "page-width";
    const wanted = Math.min(Math.max(1, pageFromHash()), pdf.numPages);
    if (wanted > 1) viewer.currentPageNumber = wanted;
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
  document.body.dataset.viewerReady = "1";
  container.focus();
}

document.addEventListener("contextmenu", (e) => e.preventDefault());
document.addEventListener("dragstart", (e) => e.preventDefault());
main().catch(() => showError(container.dataset.error));
