/**
 * Reading a roster upload from an HTTP request, in one of two forms:
 *
 * - `multipart/form-data` with the file in a part that has a filename (field `file` or `roster`)
 *   and the batch fields (`siteSerial`, `templateId`, `issueDate`) as text parts; or
 * - the raw file as the body (`text/csv`, the XLSX type or `application/octet-stream`), the name in
 *   `?filename=` or the `X-Filename` header (percent-encoded), the batch fields in the query.
 *
 * The body is counted while it arrives: past the limit the upload is refused with
 * ROSTER_FILE_TOO_LARGE (413) before it is all read.
 */
import type { Request } from "express";
import { IssuanceError } from "../../errors.js";

export interface Upload {
  readonly bytes: Uint8Array;
  readonly filename: string;
  readonly contentType?: string;
  /** Text fields of a multipart form; empty for a raw upload. */
  readonly fields: Readonly<Record<string, string>>;
}

/** Room for the multipart envelope (boundaries, headers, text fields) on top of the file limit. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * Collects the body, refusing it once it passes `limit`. The rest of an oversized body is read and
 * dropped (not destroyed), so the 413 answer still reaches the client; the route then closes the
 * connection.
 */
function readBody(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (!refused) resolve(Buffer.concat(chunks, size));
    });
    request.on("error", reject);
  });
}

function tooLarge(limit: number): IssuanceError {
  return new IssuanceError("ROSTER_FILE_TOO_LARGE", `the upload is larger than the limit of ${limit} bytes`);
}

function malformed(message: string): IssuanceError {
  return new IssuanceError("UPLOAD_MALFORMED", message);
}

function decodeFilename(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Reads the roster file (and multipart text fields) of `request`; `maxFileBytes` bounds the file. */
export async function readRosterUpload(request: Request, maxFileBytes: number): Promise<Upload> {
  const contentType = request.get("content-type") ?? "application/octet-stream";
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) {
    const bytes = await readBody(request, maxFileBytes);
    const filename = decodeFilename(typeof request.query.filename === "string" ? request.query.filename : request.get("x-filename"));
    if (!filename) throw malformed("name the file: ?filename=roster.csv or the X-Filename header");
    return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), filename, contentType, fields: {} };
  }
  const body = await readBody(request, maxFileBytes + MULTIPART_OVERHEAD);
  return parseMultipart(body, boundary[1] ?? boundary[2]!, maxFileBytes);
}

/** A minimal multipart/form-data reader (RFC 7578) for one file and a few text fields. */
export function parseMultipart(body: Buffer, boundary: string, maxFileBytes: number): Upload {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string> = {};
  let file: Omit<Upload, "fields"> | undefined;
  let position = body.indexOf(delimiter);
  if (position < 0) throw malformed("the multipart body has no boundary");
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === "--") break;
    const headerEnd = body.indexOf("\r\n\r\n", position);
    if (headerEnd < 0) throw malformed("a multipart part has no header end");
    const headers = body.subarray(position, headerEnd).toString("utf8");
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd + 4);
    if (next < 0) throw malformed("the multipart body is cut off");
    const content = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? "";
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename\*=UTF-8''([^;\r\n]+)/i.exec(disposition)?.[1] ?? /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined && (name === "file" || name === "roster" || !file)) {
      if (content.length > maxFileBytes) throw tooLarge(maxFileBytes);
      const partType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
      file = {
        bytes: new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
        filename: decodeFilename(filename) ?? filename,
        ...(partType ? { contentType: partType } : {}),
      };
    } else if (name !== undefined && filename === undefined) {
      fields[name] = content.toString("utf8");
    }
    position = next + 2;
  }
  if (!file) throw malformed("the form has no file part (field `file`)");
  return { ...file, fields };
}
