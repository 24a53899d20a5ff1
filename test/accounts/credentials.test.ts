/** Password policy and hashing, secrets, and the session cookie's attributes (units, no database). */
import { expect } from "chai";
import { createPasswordHasher, DEFAULT_PASSWORD_HASHING, passwordPolicyViolations } from "../../server/accounts/domain/passwords.js";
import { hashSecret, newApiTokenSecret, newSessionSecret } from "../../server/accounts/domain/secrets.js";
import { createSessionCookie } from "../../server/accounts/entry-points/http/session-cookie.js";
import type { Request, Response } from "express";

describe("credentials", function () {
  describe("password policy", function () {
    it("accepts a long passphrase", function () {
      expect(passwordPolicyViolations("correct horse battery staple", "zhang.san")).to.deep.equal([]);
    });

    it("names every rule a password breaks", function () {
      expect(passwordPolicyViolations("aaaa", "zhang")).to.deep.equal(["TOO_SHORT", "TOO_FEW_DISTINCT_CHARACTERS"]);
      expect(passwordPolicyViolations("Password1234", "zhang")).to.deep.equal(["COMMON_PASSWORD"]);
      expect(passwordPolicyViolations("my-Zhang.San-secret!", "zhang.san")).to.deep.equal(["CONTAINS_USERNAME"]);
      expect(passwordPolicyViolations("x".repeat(120) + "abcdefghi", "zhang")).to.deep.equal(["TOO_LONG"]);
    });
  });

  describe("argon2id hashing", function () {
    const hasher = createPasswordHasher();

    it("hashes with argon2id, m=19456 KiB, t=2, p=1, and verifies only the right password", async function () {
      const hash = await hasher.hash("correct horse battery staple");
      expect(hash).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(await hasher.verify(hash, "correct horse battery staple")).to.equal(true);
      expect(await hasher.verify(hash, "correct horse battery stapler")).to.equal(false);
      expect(await hasher.verify("not a hash", "x")).to.equal(false);
      expect(hasher.needsRehash(hash)).to.equal(false);
    });

    it("asks for a re-hash when the parameters changed", async function () {
      const weaker = createPasswordHasher({ ...DEFAULT_PASSWORD_HASHING, memoryCost: 4096 });
      expect(hasher.needsRehash(await weaker.hash("correct horse battery staple"))).to.equal(true);
    });

    it("checks an unknown user's password against a dummy hash of the same cost as a real one", async function () {
      // Same algorithm and parameters → the same work as verifying a real account's hash, so an
      // unknown username is not told apart by a faster answer (asserted by structure, not by time).
      const dummy = await hasher.dummyHash();
      expect(dummy).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(hasher.needsRehash(dummy)).to.equal(false);
      expect(await hasher.dummyHash()).to.equal(dummy);
      expect(await hasher.verify(dummy, "wrong guess 123")).to.equal(false);
      await hasher.verifyDummy("wrong guess 123");
    });
  });

  describe("secrets", function () {
    it("makes 256-bit session and sk_ integration secrets and stores their SHA-256", function () {
      expect(newSessionSecret()).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(newApiTokenSecret()).to.match(/^sk_[A-Za-z0-9_-]{43}$/);
      expect(newSessionSecret()).not.to.equal(newSessionSecret());
      expect(hashSecret("abc")).to.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    });
  });

  describe("session cookie", function () {
    function captured() {
      const headers: string[] = [];
      return { headers, response: { append: (_name: string, value: string) => headers.push(value) } as unknown as Response };
    }

    it("is __Host- prefixed and Secure when the site is served over https", function () {
      const cookie = createSessionCookie({ secure: true });
      const { headers, response } = captured();
      cookie.set(response, "A".repeat(43), new Date(1_000_000 + 3_600_000), new Date(1_000_000));
      expect(headers).to.deep.equal([
        `__Host-skillcert_session=${"A".repeat(43)}; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=3600`,
      ]);
    });

    it("reads only its own, well-formed cookie", function () {
      const cookie = createSessionCookie({ secure: false });
      const request = (header: string) => ({ get: () => header }) as unknown as Request;
      expect(cookie.read(request(`other=1; skillcert_session=${"b".repeat(43)}`))).to.equal("b".repeat(43));
      expect(cookie.read(request("skillcert_session=<script>"))).to.equal(null);
      expect(cookie.read(request(""))).to.equal(null);
    });
  });
});
