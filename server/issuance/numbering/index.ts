/** Certificate numbering: per-prefix sequences without gaps or duplicates. */
export { assignCertificateNumbers } from "./assign-numbers.js";
export { MAX_SERIAL, SERIAL_DIGITS, certificateNumberAt, certificatePrefix } from "./certificate-numbers.js";
export type { NumberingScope } from "./certificate-numbers.js";
export { peekNextSerial, reserveSerials } from "./sequence-repository.js";
