/**
 * Revocation reasons (撤销原因): the `reasonCode` sent to the registry's revokeCertificate /
 * revokeBatch and stored in Revocation rows. Codes never change meaning once released; UIs show the
 * Chinese label. Codes marked regulator-only are refused (REVOCATION_REASON_REGULATOR_ONLY) for
 * institution staff.
 *
 * | code | name                      | 中文                     | who                  |
 * |------|---------------------------|--------------------------|----------------------|
 * | 1    | ISSUED_IN_ERROR           | 信息有误（误发）          | institution, regulator |
 * | 2    | REISSUED                  | 已换发新证                | institution, regulator |
 * | 3    | DUPLICATE_ISSUE           | 重复发证                  | institution, regulator |
 * | 4    | ASSESSMENT_INVALIDATED    | 考核成绩无效              | institution, regulator |
 * | 5    | OBTAINED_BY_FRAUD         | 以欺骗等不正当手段取得     | institution, regulator |
 * | 6    | INSTITUTION_MISCONDUCT    | 评价机构违规，监管撤销     | regulator only       |
 * | 7    | AUTHORITY_ORDER           | 司法或行政机关决定         | regulator only       |
 */
export interface RevocationReason {
  readonly code: number;
  readonly name: string;
  readonly zh: string;
  readonly regulatorOnly: boolean;
}

export const REVOCATION_REASONS: readonly RevocationReason[] = Object.freeze([
  { code: 1, name: "ISSUED_IN_ERROR", zh: "信息有误（误发）", regulatorOnly: false },
  { code: 2, name: "REISSUED", zh: "已换发新证", regulatorOnly: false },
  { code: 3, name: "DUPLICATE_ISSUE", zh: "重复发证", regulatorOnly: false },
  { code: 4, name: "ASSESSMENT_INVALIDATED", zh: "考核成绩无效", regulatorOnly: false },
  { code: 5, name: "OBTAINED_BY_FRAUD", zh: "以欺骗等不正当手段取得", regulatorOnly: false },
  { code: 6, name: "INSTITUTION_MISCONDUCT", zh: "评价机构违规，监管撤销", regulatorOnly: true },
  { code: 7, name: "AUTHORITY_ORDER", zh: "司法或行政机关决定", regulatorOnly: true },
]);

export function revocationReason(code: number): RevocationReason | undefined {
  return REVOCATION_REASONS.find((reason) => reason.code === code);
}
