/**
 * Text encoding of an uploaded CSV. Chinese institutions export rosters from Excel and WPS as
 * UTF-8 (with or without BOM), as GBK ("CSV (逗号分隔)" on a Chinese Windows), and sometimes as
 * UTF-16 ("Unicode 文本", tab separated). The file carries no label, so it is detected:
 * a BOM decides; otherwise bytes that are valid UTF-8 are UTF-8 (GBK text is almost never valid
 * UTF-8); everything else is decoded as GB18030, the superset of GBK and GB2312.
 */
import iconv from "iconv-lite";
import type { RosterSource } from "./types.js";

export type RosterTextEncoding = NonNullable<RosterSource["encoding"]>;

export interface DecodedText {
  readonly text: string;
  readonly encoding: RosterTextEncoding;
}

export function decodeRosterText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder("utf-8").decode(bytes.subarray(3)), encoding: "utf-8" };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder("utf-16le").decode(bytes.subarray(2)), encoding: "utf-16le" };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder("utf-16be").decode(bytes.subarray(2)), encoding: "utf-16be" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), "gb18030"), encoding: "gb18030" };
  }
}
