/**
 * The revocation reason table: one home for the codes the registry stores, the server accepts
 * and every verifier shows in words.
 */
import { expect } from "chai";
import { REVOCATION_REASONS, revocationReason } from "../../core/index.js";

describe("revocation reasons", function () {
  it("gives every reason a distinct positive uint16 code and a distinct name", function () {
    const codes = REVOCATION_REASONS.map((reason) => reason.code);
    expect(new Set(codes).size).to.equal(codes.length);
    for (const code of codes) expect(Number.isInteger(code) && code >= 1 && code <= 65_535, String(code)).to.equal(true);
    const names = REVOCATION_REASONS.map((reason) => reason.name);
    expect(new Set(names).size).to.equal(names.length);
  });

  it("labels every reason in Chinese and in English", function () {
    for (const reason of REVOCATION_REASONS) {
      expect(reason.zh, reason.name).to.match(/\p{Script=Han}/u);
      expect(reason.en, reason.name).to.match(/^[A-Z][\x20-\x7e]+$/);
    }
  });

  it("keeps the released codes' meanings: 2 is 已换发新证, and only 6 and 7 are the regulator's", function () {
    expect(revocationReason(2)).to.deep.include({ name: "REISSUED", zh: "已换发新证", en: "Reissued" });
    expect(REVOCATION_REASONS.filter((reason) => reason.regulatorOnly).map((reason) => reason.code)).to.deep.equal([6, 7]);
  });

  it("knows no reason for a code outside the table", function () {
    expect(revocationReason(0)).to.equal(undefined);
    expect(revocationReason(101)).to.equal(undefined);
  });
});
