/** Encryption of issuer keys at rest (AES-256-GCM, HKDF-derived key). */
import { expect } from "chai";
import { Wallet } from "ethers";
import { createIssuerKeyCipher, issuerKeySecretBytes } from "../../server/institutions/issuer-keys/issuer-key-cipher.js";
import { createKeyedLock } from "../../server/keyed-lock.js";

describe("issuer key cipher", function () {
  const signerKey = Wallet.createRandom().privateKey;
  const cipher = createIssuerKeyCipher(issuerKeySecretBytes(undefined, signerKey));
  const issuer = Wallet.createRandom();
  const institutionId = "91510100MA61234567";

  it("round-trips a private key and never stores it in clear", function () {
    const stored = cipher.encrypt(issuer.privateKey, institutionId, issuer.address);
    expect(stored).to.match(/^v1\.[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/);
    expect(stored).not.to.contain(issuer.privateKey.slice(2));
    expect(cipher.decrypt(stored, institutionId, issuer.address)).to.deep.equal({ privateKey: issuer.privateKey });
  });

  it("uses a fresh IV every time", function () {
    expect(cipher.encrypt(issuer.privateKey, institutionId, issuer.address)).not.to.equal(
      cipher.encrypt(issuer.privateKey, institutionId, issuer.address),
    );
  });

  it("reports a different secret as wrong_secret", function () {
    const stored = cipher.encrypt(issuer.privateKey, institutionId, issuer.address);
    const other = createIssuerKeyCipher(issuerKeySecretBytes("a dedicated issuer key secret of 32+ chars", signerKey));
    expect(other.decrypt(stored, institutionId, issuer.address)).to.deep.equal({ problem: "wrong_secret" });
  });

  it("refuses a ciphertext moved to another institution or address, or tampered with", function () {
    const stored = cipher.encrypt(issuer.privateKey, institutionId, issuer.address);
    expect(cipher.decrypt(stored, "91510100MA61234568", issuer.address)).to.deep.equal({ problem: "corrupt" });
    expect(cipher.decrypt(stored, institutionId, Wallet.createRandom().address)).to.deep.equal({ problem: "corrupt" });
    const parts = stored.split(".");
    parts[3] = `${parts[3]!.slice(0, -2)}${parts[3]!.endsWith("AA") ? "BB" : "AA"}`;
    expect(cipher.decrypt(parts.join("."), institutionId, issuer.address)).to.deep.equal({ problem: "corrupt" });
  });

  it("refuses secrets shorter than 32 bytes", function () {
    expect(() => createIssuerKeyCipher(issuerKeySecretBytes("too short", signerKey))).to.throw(/at least 32 bytes/);
  });
});

describe("keyed lock", function () {
  it("runs work for one key one at a time, and other keys in parallel", async function () {
    const serially = createKeyedLock();
    const order: string[] = [];
    const step = (label: string, ms: number) => () => new Promise<void>((resolve) => setTimeout(() => (order.push(label), resolve()), ms));
    await Promise.all([serially("a", step("a1", 30)), serially("a", step("a2", 1)), serially("b", step("b1", 5))]);
    expect(order).to.deep.equal(["b1", "a1", "a2"]);
  });

  it("keeps going after a failure", async function () {
    const serially = createKeyedLock();
    await serially("a", async () => Promise.reject(new Error("boom"))).catch(() => undefined);
    expect(await serially("a", async () => 42)).to.equal(42);
  });
});
