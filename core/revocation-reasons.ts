/**
 * Revocation reasons (撤销原因): the `reasonCode` sent to the registry's revokeCertificate /
 * revokeBatch, stored in Revocation rows and read back from the chain by every verifier. Codes
 * never change meaning once released; UIs show the label in their language, and a code missing
 * here (a newer one) as its number. Codes marked regulator-only are refused
 * (REVOCATION_REASON_REGULATOR_ONLY) for institution staff.
 *
 * | code | name                      | 中文                     | English                                   | who                    |
 * |------|---------------------------|--------------------------|-------------------------------------------|------------------------|
 * | 1    | ISSUED_IN_ERROR           | 信息有误（误发）          | Issued in error                           | institution, regulator |
 * | 2    | REISSUED                  | 已换发新证                | Reissued                                  | institution, regulator |
 * | 3    | DUPLICATE_ISSUE           | 重复发证                  | Issued twice                              | institution, regulator |
 * | 4    | ASSESSMENT_INVALIDATED    | 考核成绩无效              | Assessment results invalidated            | institution, regulator |
 * | 5    | OBTAINED_BY_FRAUD         | 以欺骗等不正当手段取得     | Obtained by deception or other improper   | institution, regulator |
 * |      |                           |                          | means                                     |                        |
 * | 6    | INSTITUTION_MISCONDUCT    | 评价机构违规，监管撤销     | Revoked by the regulator: the institution | regulator only         |
 * |      |                           |                          | broke the rules                           |                        |
 * | 7    | AUTHORITY_ORDER           | 司法或行政机关决定         | Ordered by a court or public authority    | regulator only         |
 */
export interface RevocationReason {
  readonly code: number;
  /** A stable name for logs and code; not shown to visitors. */
  readonly name: string;
  readonly zh: string;
  readonly en: string;
  readonly regulatorOnly: boolean;
}

export const REVOCATION_REASONS: readonly RevocationReason[] = Object.freeze([
  { code: 1, name: "ISSUED_IN_ERROR", zh: "信息有误（误发）", en: "Issued in error", regulatorOnly: false },
  { code: 2, name: "REISSUED", zh: "已换发新证", en: "Reissued", regulatorOnly: false },
  { code: 3, name: "DUPLICATE_ISSUE", zh: "重复发证", en: "Issued twice", regulatorOnly: false },
  { code: 4, name: "ASSESSMENT_INVALIDATED", zh: "考核成绩无效", en: "Assessment results invalidated", regulatorOnly: false },
  {
    code: 5,
    name: "OBTAINED_BY_FRAUD",
    zh: "以欺骗等不正当手段取得",
    en: "Obtained by deception or other improper means",
    regulatorOnly: false,
  },
  {
    code: 6,
    name: "INSTITUTION_MISCONDUCT",
    zh: "评价机构违规，监管撤销",
    en: "Revoked by the regulator: the institution broke the rules",
    regulatorOnly: true,
  },
  { code: 7, name: "AUTHORITY_ORDER", zh: "司法或行政机关决定", en: "Ordered by a court or public authority", regulatorOnly: true },
]);

/** The reason with this code, or undefined for a code not (yet) in the table. */
export function revocationReason(code: number): RevocationReason | undefined {
  return REVOCATION_REASONS.find((reason) => reason.code === code);
}
