import { expect } from "chai";
import fc from "fast-check";
import QRCode from "qrcode";
import {
  base32Decode,
  base32Encode,
  formatCertificateQrPayload,
  keccak256Hex,
  parseCertificateQrPayload,
  toHex,
} from "../../core/index.js";

const HOST = "verify.skillcert.example.cn";
const NUMBER = "S000151000001253000001";
const LEAF = keccak256Hex("a certificate leaf");

function codeOf(text: string, hosts = [HOST], allowHttp = false): string | undefined {
  const r = parseCertificateQrPayload(text, hosts, { allowHttp });
  return r.ok ? undefined : r.issues[0]!.code;
}

describe("core/qr-payload", () => {
  it("round-trips the certificate number and leaf", () => {
    const url = formatCertificateQrPayload(HOST, NUMBER, LEAF);
    const r = parseCertificateQrPayload(url, [HOST]);
    expect(r).to.deep.equal({ ok: true, value: { version: 1, certificateNumber: NUMBER, leaf: LEAF } });
  });

  it("fits QR alphanumeric mode at version 5-M (37 × 37 modules) for a typical host", () => {
    const url = formatCertificateQrPayload(HOST, NUMBER, LEAF);
    expect(url).to.match(/^[0-9A-Z $%*+\-./:]+$/);
    const qr = QRCode.create(url, { errorCorrectionLevel: "M" });
    expect(qr.version).to.be.at.most(5);
  });

  it("accepts the payload typed in lower case (hosts and base32 are case-insensitive)", () => {
    const url = formatCertificateQrPayload(HOST, NUMBER, LEAF).toLowerCase();
    expect(parseCertificateQrPayload(url, [HOST]).ok).to.equal(true);
    expect(parseCertificateQrPayload(` ${url.replace("/c/1/", "/C/1/")}\n`, [HOST]).ok).to.equal(true);
  });

  it("refuses every other spelling of the same link: leading zeros, trailing slash, doubled slash", () => {
    const url = formatCertificateQrPayload(HOST, NUMBER, LEAF);
    expect(codeOf(url.replace("/C/1/", "/C/01/"))).to.equal("QR_UNKNOWN_VERSION");
    expect(codeOf(url.replace("/C/1/", "/C/+1/"))).to.equal("QR_UNKNOWN_VERSION");
    expect(codeOf(`${url}/`)).to.equal("QR_MALFORMED");
    expect(codeOf(url.replace("/C/1/", "/C//1/"))).to.equal("QR_MALFORMED");
  });

  it("rejects a foreign host, also one that merely contains the trusted host", () => {
    const url = formatCertificateQrPayload(HOST, NUMBER, LEAF);
    expect(codeOf(url.replace("VERIFY.SKILLCERT", "VERIFY.EVIL"))).to.equal("QR_FOREIGN_HOST");
    expect(codeOf(url.replace(HOST.toUpperCase(), `${HOST.toUpperCase()}.EVIL.COM`))).to.equal("QR_FOREIGN_HOST");
    expect(codeOf(url.replace("HTTPS://", "HTTPS://USER@"))).to.equal("QR_FOREIGN_HOST");
  });

  it("rejects parameters that try to set an RPC endpoint or contract address", () => {
    const url = formatCertificateQrPayload(HOST, NUMBER, LEAF);
    expect(codeOf(`${url}?rpc=http://attacker:8545`)).to.equal("QR_EXTRA_PARAMETERS");
    expect(codeOf(`${url}?registry=0x0000000000000000000000000000000000000001`)).to.equal("QR_EXTRA_PARAMETERS");
    expect(codeOf(`${url}#rpc=x`)).to.equal("QR_EXTRA_PARAMETERS");
    expect(codeOf(`${url}/extra`)).to.equal("QR_MALFORMED");
  });

  it("rejects http unless the verifier allows it (local development)", () => {
    const url = formatCertificateQrPayload(HOST, NUMBER, LEAF, "http");
    expect(codeOf(url)).to.equal("QR_INSECURE_SCHEME");
    expect(codeOf(url, [HOST], true)).to.equal(undefined);
  });

  it("rejects malformed values with specific codes", () => {
    const url = formatCertificateQrPayload(HOST, NUMBER, LEAF);
    expect(codeOf("hello")).to.equal("QR_NOT_URL");
    expect(codeOf(url.replace("/C/1/", "/C/2/"))).to.equal("QR_UNKNOWN_VERSION");
    expect(codeOf(url.replace("/C/1/", "/X/1/"))).to.equal("QR_MALFORMED");
    expect(codeOf(url.replace(NUMBER, "S000199000001253000001"))).to.equal("QR_BAD_CERTIFICATE_NUMBER");
    expect(codeOf(url.slice(0, -1))).to.equal("QR_BAD_LEAF");
    expect(codeOf(url.slice(0, -1) + "1")).to.equal("QR_BAD_LEAF");
    expect(codeOf("https://" + HOST + "/" + "A".repeat(600))).to.equal("QR_MALFORMED");
  });

  it("has exactly one base32 spelling per leaf (non-zero padding bits rejected)", () => {
    const url = formatCertificateQrPayload(HOST, NUMBER, LEAF);
    const last = url.at(-1)!;
    // 32 bytes = 256 bits = 51 full characters + 1 bit; the last character carries 4 padding bits.
    const sibling = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"["ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(last) ^ 1]!;
    expect(codeOf(url.slice(0, -1) + sibling)).to.equal("QR_BAD_LEAF");
  });

  it("base32 round-trips any bytes (property)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => toHex(base32Decode(base32Encode(bytes))!) === toHex(bytes)));
  });

  it("refuses to format for an invalid host or leaf", () => {
    expect(() => formatCertificateQrPayload("bad host", NUMBER, LEAF)).to.throw(TypeError);
    expect(() => formatCertificateQrPayload(HOST, NUMBER, "0x12")).to.throw(TypeError);
  });
});
