/** QR decoding with jsQR, from camera frames and from photos. */
import jsQRModule from "jsqr";

type DecodeQr = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options?: { inversionAttempts?: "dontInvert" | "attemptBoth" },
) => { data: string } | null;

// jsqr is a CommonJS bundle: depending on the interop its function is the default export or its `default`.
const jsQR = ((jsQRModule as unknown as { default?: DecodeQr }).default ?? jsQRModule) as unknown as DecodeQr;

export type Drawable = CanvasImageSource & { readonly width: number; readonly height: number };

const canvas = document.createElement("canvas");
const context = canvas.getContext("2d", { willReadFrequently: true })!;

/** Draws `source` at most `maxSide` pixels on its longer side and looks for a QR code. */
export function decodeQr(source: CanvasImageSource, width: number, height: number, maxSide: number, thorough: boolean): string | undefined {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  return jsQR(data, canvas.width, canvas.height, { inversionAttempts: thorough ? "attemptBoth" : "dontInvert" })?.data;
}

/** A photo: tried at a few sizes, since jsQR finds small codes in large photos only when scaled. */
export async function decodeQrInImage(file: Blob): Promise<string | undefined> {
  const bitmap = await createImageBitmap(file);
  try {
    for (const side of [1200, 800, 1800, 2600]) {
      const found = decodeQr(bitmap, bitmap.width, bitmap.height, side, true);
      if (found) return found;
      if (side >= Math.max(bitmap.width, bitmap.height)) break;
    }
    return undefined;
  } finally {
    bitmap.close();
  }
}
