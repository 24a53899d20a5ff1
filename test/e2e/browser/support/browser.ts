/**
 * Headless Chromium for the verifier's browser tests (playwright-core driving Debian's
 * /usr/bin/chromium; no browser is ever downloaded), and the media it is shown: certificate
 * pages rendered with poppler, QR photos, and a Y4M file that Chromium plays as a fake camera.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import jsQRModule from "jsqr";
import { chromium, type Browser, type Page } from "playwright-core";
import { PNG } from "pngjs";
import QRCode from "qrcode";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const BASE_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Chromium with a fresh profile (playwright's own temporary user data dir). `fakeCamera`: a .y4m
 * file. The launch timeout is generous: on a loaded 2-core CI machine a launch took over 30 s.
 */
export function launchChromium(options: { fakeCamera?: string } = {}): Promise<Browser> {
  const camera = options.fakeCamera
    ? ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${options.fakeCamera}`]
    : [];
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...BASE_ARGS, ...camera], timeout: 120_000 });
}

/** Rasterises page 1 of a PDF with poppler's pdftoppm. */
export function renderPdfPage(pdf: Uint8Array, dpi: number): PNG {
  const png = execFileSync("pdftoppm", ["-png", "-r", String(dpi), "-singlefile", "-"], { input: pdf, maxBuffer: 1 << 28 });
  return PNG.sync.read(png);
}

type Locate = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string; location: { topLeftCorner: { x: number; y: number }; bottomRightCorner: { x: number; y: number } } } | null;
const jsQR = ((jsQRModule as unknown as { default?: Locate }).default ?? jsQRModule) as unknown as Locate;

/** Where the QR code is in an image (and what it says). */
export function locateQr(image: PNG): { text: string; centerX: number; centerY: number } {
  const found = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength), image.width, image.height);
  if (!found) throw new Error("no QR code in the rendered page");
  const { topLeftCorner: a, bottomRightCorner: b } = found.location;
  return { text: found.data, centerX: Math.round((a.x + b.x) / 2), centerY: Math.round((a.y + b.y) / 2) };
}

/** A `width` × `height` window of `image` centred on (cx, cy), padded with white. */
export function crop(image: PNG, cx: number, cy: number, width: number, height: number): PNG {
  const out = new PNG({ width, height });
  out.data.fill(255);
  const left = cx - Math.floor(width / 2);
  const top = cy - Math.floor(height / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = left + x;
      const sy = top + y;
      if (sx < 0 || sy < 0 || sx >= image.width || sy >= image.height) continue;
      image.data.copy(out.data, (y * width + x) * 4, (sy * image.width + sx) * 4, (sy * image.width + sx) * 4 + 4);
    }
  }
  return out;
}

/**
 * Writes `image` as a YUV4MPEG2 (4:2:0) video of `frames` identical frames, the format Chromium's
 * fake capture device plays in a loop.
 */
export function writeY4m(file: string, image: PNG, frames = 10): void {
  const { width, height, data } = image;
  if (width % 2 || height % 2) throw new Error("Y4M 4:2:0 needs even dimensions");
  const ySize = width * height;
  const frame = Buffer.alloc(ySize * 1.5, 128);
  for (let i = 0; i < ySize; i++) {
    const r = data[i * 4]!;
    const g = data[i * 4 + 1]!;
    const b = data[i * 4 + 2]!;
    // BT.601 studio-swing luma; chroma stays neutral (128): a grey picture is all a QR scanner needs.
    frame[i] = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const parts: Buffer[] = [header];
  for (let f = 0; f < frames; f++) parts.push(Buffer.from("FRAME\n"), frame);
  writeFileSync(file, Buffer.concat(parts));
}

/** A QR code as a PNG, as a phone photo of a screen or print would show it. */
export async function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { errorCorrectionLevel: "M", margin: 4, scale: 8 });
}

export function savePng(file: string, image: PNG): void {
  writeFileSync(file, PNG.sync.write(image));
}

export interface ShownResult {
  readonly verdict: string;
  readonly reason: string;
  readonly warnings: string;
}

/** Waits for the result page to finish and reads its verdict attributes. */
export async function shownResult(page: Page): Promise<ShownResult> {
  const result = page.locator('#result[data-state="done"]');
  await result.waitFor({ timeout: 30_000 });
  return {
    verdict: (await result.getAttribute("data-verdict")) ?? "",
    reason: (await result.getAttribute("data-reason")) ?? "",
    warnings: (await result.getAttribute("data-warnings")) ?? "",
  };
}

/** Waits for a rejection notice and returns its code. */
export async function shownNotice(page: Page): Promise<string> {
  const notice = page.locator("#notice");
  await notice.waitFor({ timeout: 30_000 });
  return (await notice.getAttribute("data-code")) ?? "";
}
