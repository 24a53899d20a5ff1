/** The server's public certificate endpoints, as the site calls them. */
import type { Hex } from "../../core/index.js";

export interface PublicCertificate {
  readonly bundle: unknown;
  readonly maskedIdNumber: string;
}

/** A failed call, with the server's stable code (or NETWORK_ERROR). */
export class ApiError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = "ApiError";
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}) },
    });
  } catch {
    throw new ApiError("NETWORK_ERROR");
  }
  const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
  if (!response.ok) throw new ApiError(body?.error?.code ?? "INTERNAL");
  return body as T;
}

export const fetchByQrCode = (certificateNumber: string, leaf: Hex) =>
  call<PublicCertificate>(`/api/public/certificates/${encodeURIComponent(certificateNumber)}/bundle?leaf=${leaf}`);

export const lookUp = (certificateNumber: string, holderName: string) =>
  call<PublicCertificate>("/api/public/certificates/lookup", { method: "POST", body: JSON.stringify({ certificateNumber, holderName }) });

export const confirmIdNumber = (certificateNumber: string, holderName: string, idNumber: string) =>
  call<{ match: boolean }>("/api/public/certificates/confirm-id", {
    method: "POST",
    body: JSON.stringify({ certificateNumber, holderName, idNumber }),
  });
