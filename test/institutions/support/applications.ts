/** Valid credit codes, seal images and application bodies for the institutions suites. */
import { randomBytes } from "node:crypto";
import { PNG } from "pngjs";
import { usccCheckCharacter } from "../../../core/identifiers.js";

const USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** A random unified social credit code with a correct check character (Sichuan region 510100). */
export function aCreditCode(): string {
  const body = Array.from(randomBytes(9), (byte) => USCC_CHARSET[byte % USCC_CHARSET.length]).join("");
  const first17 = `52510100${body}`;
  return `${first17}${usccCheckCharacter(first17)}`;
}

/** The same code with a wrong check character. */
export function withWrongCheckCharacter(creditCode: string): string {
  const last = creditCode[17]!;
  return `${creditCode.slice(0, 17)}${last === "0" ? "1" : "0"}`;
}

/** A real 8×8 red PNG, base64. */
export function aSealPngBase64(): string {
  const png = new PNG({ width: 8, height: 8 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([200, 16, 16, 255], i);
  return PNG.sync.write(png).toString("base64");
}

export function anApplication(overrides: Record<string, unknown> = {}) {
  return {
    creditCode: aCreditCode(),
    name: "成都市某某职业技能评价中心",
    type: "S",
    address: "四川省成都市武侯区某某路 1 号",
    scope: [
      { occupationCode: "6-18-02-01", occupationName: "电工", level: 4 },
      { occupationCode: "6-18-02-01", occupationName: "电工", level: 3 },
      { occupationCode: "4-03-02-01", occupationName: "中式烹调师", level: "五级/初级工" },
    ],
    sites: [
      { name: "武侯考点", address: "成都市武侯区某某路 1 号" },
      { name: "高新考点", address: "成都市高新区某某大道 2 号" },
    ],
    sealPng: aSealPngBase64(),
    ...overrides,
  };
}

let institutionCodeCounter = 100 + Math.floor(Math.random() * 8000);
/** A fresh 4-digit institution code. */
export function anInstitutionCode(): string {
  institutionCodeCounter += 1;
  return String(institutionCodeCounter).padStart(4, "0");
}
