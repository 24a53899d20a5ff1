/**
 * Scanning with the camera: getUserMedia (rear camera preferred) and jsQR on video frames about
 * eight times a second. Frames never leave the page.
 */
import { decodeQr } from "./qr.js";

export type CameraFailure = "CAMERA_DENIED" | "CAMERA_UNAVAILABLE";

export class CameraError extends Error {
  constructor(readonly code: CameraFailure) {
    super(code);
    this.name = "CameraError";
  }
}

export interface CameraScan {
  /** Resolves with the first QR text seen; rejects with CameraError if the camera cannot start. */
  readonly result: Promise<string>;
  stop(): void;
}

const FRAME_INTERVAL_MS = 120;

export function scanWithCamera(video: HTMLVideoElement): CameraScan {
  let stream: MediaStream | undefined;
  let timer: number | undefined;
  let stopped = false;
  const stop = () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    stream?.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  };
  const result = new Promise<string>((resolve, reject) => {
    if (!navigator.mediaDevices?.getUserMedia) {
      reject(new CameraError("CAMERA_UNAVAILABLE"));
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(async (media) => {
        stream = media;
        if (stopped) return stop();
        video.srcObject = media;
        video.muted = true;
        video.setAttribute("playsinline", "");
        await video.play();
        const tick = () => {
          if (stopped) return;
          if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth > 0) {
            const text = decodeQr(video, video.videoWidth, video.videoHeight, 800, false);
            if (text) {
              stop();
              resolve(text);
              return;
            }
          }
          timer = window.setTimeout(tick, FRAME_INTERVAL_MS);
        };
        tick();
      })
      .catch((error: unknown) => {
        stop();
        const name = (error as { name?: string }).name;
        reject(new CameraError(name === "NotAllowedError" || name === "SecurityError" ? "CAMERA_DENIED" : "CAMERA_UNAVAILABLE"));
      });
  });
  return { result, stop };
}
