import { expect } from "chai";
import { containsSeveralStatements } from "../../server/storage/node-sqlite-adapter.js";

describe("node:sqlite adapter", function () {
  describe("containsSeveralStatements", function () {
    it("sees one statement in a query, with or without a trailing semicolon and comments", function () {
      expect(containsSeveralStatements('SELECT "id" FROM "Batch" WHERE "merkleRoot" = ?')).to.equal(false);
      expect(containsSeveralStatements("SELECT 1; -- done\n")).to.equal(false);
      expect(containsSeveralStatements("SELECT 1; /* done */ ;")).to.equal(false);
    });

    it("sees a migration script as several statements", function () {
      expect(containsSeveralStatements('CREATE TABLE "A" ("x" TEXT);\n\n-- CreateIndex\nCREATE INDEX "i" ON "A"("x");')).to.equal(true);
    });

    it("ignores semicolons inside strings, quoted identifiers and comments", function () {
      expect(containsSeveralStatements("SELECT 'a;b', \"c;d\", `e;f`, [g;h] -- i;j\n")).to.equal(false);
      expect(containsSeveralStatements("SELECT 'it''s; fine' /* ; */")).to.equal(false);
    });
  });
});
