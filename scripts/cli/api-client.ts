/**
 * The CLI's view of a RUNNING SkillCert server: JSON requests with the API token, uploads and
 * downloads. Every failure becomes a CliFailure carrying the API's stable error code.
 */
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CliFailure, EXIT } from "./exit-codes.js";

export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** An error answer of the API, with its status and stable code. */
export class ApiError extends CliFailure {
  constructor(
    readonly status: number,
    readonly error: ApiErrorBody,
  ) {
    super(
      status >= 500 ? EXIT.UNAVAILABLE : error.code === "ROSTER_REJECTED" ? EXIT.ROSTER_REJECTED : EXIT.REFUSED,
      `${error.code}: ${error.message}`,
    );
    this.name = "ApiError";
  }
}

export interface RequestOptions {
  readonly json?: unknown;
  readonly body?: Uint8Array;
  readonly headers?: Record<string, string>;
}

export class SkillcertApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async #fetch(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "application/json", ...options.headers };
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.body) {
      body = options.body as unknown as BodyInit;
    }
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (error) {
      const failure = error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] }; message?: string };
      const reason = failure.cause?.code ?? failure.cause?.errors?.[0]?.code ?? failure.cause?.message ?? failure.message ?? String(error);
      throw new CliFailure(EXIT.UNAVAILABLE, `cannot reach the SkillCert server at ${this.baseUrl} (${reason})`);
    }
    if (!response.ok) {
      const text = await response.text();
      let parsed: { error?: ApiErrorBody } = {};
      try {
        parsed = JSON.parse(text) as { error?: ApiErrorBody };
      } catch {
        // not JSON: a proxy or a crash page
      }
      throw new ApiError(
        response.status,
        parsed.error ?? { code: `HTTP_${response.status}`, message: response.statusText || "request failed" },
      );
    }
    return response;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.#fetch(method, path, options);
    const text = await response.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** A small download held in memory, with the file name the server gave it (null: none). */
  async fetchFile(path: string): Promise<{ bytes: Uint8Array; filename: string | null }> {
    const response = await this.#fetch("GET", path, { headers: { accept: "*/*" } });
    return {
      bytes: new Uint8Array(await response.arrayBuffer()),
      filename: attachmentFilename(response.headers.get("content-disposition")),
    };
  }

  /** Streams a download to `file`, reporting (bytes so far, total bytes or null). */
  async download(path: string, file: string, onProgress: (done: number, total: number | null) => void): Promise<number> {
    const response = await this.#fetch("GET", path, { headers: { accept: "application/zip" } });
    const total = Number(response.headers.get("content-length")) || null;
    let done = 0;
    const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
    body.on("data", (chunk: Buffer) => {
      done += chunk.length;
      onProgress(done, total);
    });
    await pipeline(body, createWriteStream(file));
    return done;
  }
}

/** The file name of a Content-Disposition header: the RFC 5987 UTF-8 `filename*` if given, else `filename`. */
function attachmentFilename(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /\bfilename\*=UTF-8''([^;\s]+)/i.exec(disposition)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended);
    } catch {
      // a malformed escape: fall back to the plain name
    }
  }
  return /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? /\bfilename=([^;\s]+)/i.exec(disposition)?.[1] ?? null;
}
