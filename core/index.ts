/**
 * SkillCert core: the pure, shared home of every cryptographic rule (no environment, no
 * console, no I/O). Used by the server, the scripts, the contract tests and the browser.
 *
 * The certificate-PDF reader is a separate entry point (`core/pdf-bundle.ts`), not exported here:
 * it brings pdf-lib, which the verifier site loads only when a visitor uploads a PDF.
 */
export * from "./bytes.js";
export * from "./keccak.js";
export * from "./issues.js";
export * from "./normalize.js";
export * from "./identifiers.js";
export * from "./record.js";
export * from "./certificate.js";
export * from "./institution.js";
export * from "./merkle.js";
export * from "./batch.js";
export * from "./batch-metadata.js";
export * from "./qr-payload.js";
export * from "./json-rpc.js";
export * from "./chain-reader.js";
export * from "./verify.js";
export * from "./verifier-config.js";
export * from "./revocation-reasons.js";
