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

async function main() {
  const data = container.dataset;
  const pdfjsLib = await import(data.libUrl);
  globalThis.pdfjsLib = pdfjsLib;  // pdf_viewer.mjs reads the library from here
  const { EventBus, PDFViewer } = await import(data.viewerUrl);
  pdfjsLib.GlobalWorkerOptions.workerSrc = data.workerUrl;

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

  const task = pdfjsLib.getDocument({
    url: data.pdfUrl,
    withCredentials: true,
    disableAutoFetch: true,   // fetch only the ranges of the pages being shown
    disableStream: true,
    rangeChunkSize: 262144,
    isEvalSupported: false,
    enableXfa: false,
    wasmUrl: data.wasmUrl,
  });
  let pdf;
  try {
    pdf = await task.promise;
  } catch (err) {
    showError(data.error);
    return;
  }
  viewer.setDocument(pdf);
  $("pageCount").textContent = String(pdf.numPages);
  $("pageNumber").max = String(pdf.numPages);

  const showZoom = () => { $("zoomValue").textContent = `${Math.round(viewer.currentScale * 100)}%`; };
  eventBus.on("pagesinit", () => { viewer.currentScaleValue = "page-width"; showZoom(); });
  eventBus.on("scalechanging", showZoom);
  eventBus.on("pagechanging", (e) => { $("pageNumber").value = String(e.pageNumber); });

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
