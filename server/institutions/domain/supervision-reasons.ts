/**
 * Reason codes of suspensions and revocations, written to the registry with the status change
 * (uint16, non-zero). The list is the API's: other codes are refused with REASON_CODE_UNKNOWN.
 * The free text that accompanies a decision stays in the database.
 */
export const SUPERVISION_REASONS: Readonly<Record<number, { zh: string; en: string }>> = {
  101: { zh: "考核评价过程违规", en: "irregularities in assessments" },
  102: { zh: "超出备案范围开展评价", en: "assessing outside the filed scope" },
  103: { zh: "证书信息弄虚作假", en: "falsified certificate data" },
  104: { zh: "监督检查不合格", en: "failed a supervision inspection" },
  105: { zh: "机构申请退出", en: "withdrew at its own request" },
  106: { zh: "不再具备评价条件", en: "no longer meets the conditions for assessing" },
  201: { zh: "签发密钥泄露", en: "issuer key compromised" },
  301: { zh: "数据错误", en: "data error" },
  999: { zh: "其他（见说明）", en: "other (see the text)" },
};

export function isKnownReasonCode(code: number): boolean {
  return Object.hasOwn(SUPERVISION_REASONS, code);
}
