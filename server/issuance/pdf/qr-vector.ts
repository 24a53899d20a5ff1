/**
 * QR codes drawn as PDF vectors: the module matrix comes from `qrcode`, each row's dark runs
 * become rectangles of ONE path filled once. No PNG is encoded (6× the cost of the matrix) and the
 * code stays sharp at any print or zoom resolution. One fill also means renderers leave no
 * anti-aliasing seams between touching modules.
 */
import QRCode from "qrcode";

export type QrErrorCorrection = "L" | "M" | "Q" | "H";

export interface QrMatrix {
  /** Modules per side, without quiet zone (21 for version 1, +4 per version). */
  readonly size: number;
  readonly version: number;
  /** Row-major, 1 = dark. */
  readonly modules: Uint8Array;
}

/** The module matrix of `text`; `qrcode` picks the densest modes (an upper-case URL fits alphanumeric). */
export function qrMatrix(text: string, errorCorrectionLevel: QrErrorCorrection = "M"): QrMatrix {
  const qr = QRCode.create(text, { errorCorrectionLevel });
  const { size, data } = qr.modules;
  return { size, version: qr.version, modules: Uint8Array.from(data) };
}

export interface QrDrawOptions {
  /** Top-left corner of the quiet zone, in PDF points (pdfkit's top-down coordinates). */
  readonly x: number;
  readonly y: number;
  /** Width of the symbol itself, quiet zone excluded. */
  readonly symbolWidth: number;
  /** Light margin around the symbol, in modules; ISO/IEC 18004 asks for 4. */
  readonly quietZoneModules?: number;
  readonly darkColor?: string;
  readonly lightColor?: string;
}

/** Draws the quiet zone (filled light, so page decoration never touches the code) and the modules; returns the outer width. */
export function drawQrCode(doc: PDFKit.PDFDocument, matrix: QrMatrix, options: QrDrawOptions): number {
  const { size, modules } = matrix;
  const quiet = options.quietZoneModules ?? 4;
  const unit = options.symbolWidth / size;
  const outer = (size + 2 * quiet) * unit;
  doc.save();
  doc.rect(options.x, options.y, outer, outer).fill(options.lightColor ?? "#ffffff");
  const left = options.x + quiet * unit;
  const top = options.y + quiet * unit;
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (modules[row * size + col] !== 1) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && modules[row * size + col] === 1) col++;
      doc.rect(left + start * unit, top + row * unit, (col - start) * unit, unit);
    }
  }
  // Nonzero winding: the rectangles never overlap, so one fill paints exactly the dark modules.
  doc.fill(options.darkColor ?? "#000000");
  doc.restore();
  return outer;
}
