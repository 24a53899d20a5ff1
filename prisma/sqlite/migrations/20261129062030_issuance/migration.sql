-- AlterTable
ALTER TABLE "Batch" ADD COLUMN "approvedAt" DATETIME;
ALTER TABLE "Batch" ADD COLUMN "approvedById" TEXT;
ALTER TABLE "Batch" ADD COLUMN "createdById" TEXT;
ALTER TABLE "Batch" ADD COLUMN "issueDate" TEXT;
ALTER TABLE "Batch" ADD COLUMN "publishedAt" DATETIME;
ALTER TABLE "Batch" ADD COLUMN "rosterSha256" TEXT;
ALTER TABLE "Batch" ADD COLUMN "signedOffAt" DATETIME;
ALTER TABLE "Batch" ADD COLUMN "signedOffById" TEXT;
ALTER TABLE "Batch" ADD COLUMN "siteSerial" TEXT;
ALTER TABLE "Batch" ADD COLUMN "templateId" TEXT;

-- AlterTable
ALTER TABLE "Certificate" ADD COLUMN "proofJson" TEXT;

-- AlterTable
ALTER TABLE "Revocation" ADD COLUMN "requestedById" TEXT;

-- CreateTable
CREATE TABLE "Account" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "regulatorLevel" TEXT,
    "institutionId" TEXT,
    "passwordHash" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Account_institutionId_fkey" FOREIGN KEY ("institutionId") REFERENCES "Institution" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AccessToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "accountId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" DATETIME,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AccessToken_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LoginAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "key" TEXT NOT NULL,
    "succeeded" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "CertificateSequence" (
    "prefix" TEXT NOT NULL PRIMARY KEY,
    "nextSerial" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "BatchEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "batchId" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "accountId" TEXT,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BatchEvent_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "Batch" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Institution" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'registered',
    "institutionCode" TEXT,
    "provinceCode" TEXT,
    "address" TEXT,
    "scopeJson" TEXT NOT NULL DEFAULT '[]',
    "sitesJson" TEXT NOT NULL DEFAULT '[]',
    "sealPng" BLOB,
    "statusReason" TEXT,
    "appliedById" TEXT,
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "scopeHash" TEXT,
    "issuerAddress" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Institution" ("createdAt", "id", "issuerAddress", "name", "scopeHash", "status", "type", "updatedAt") SELECT "createdAt", "id", "issuerAddress", "name", "scopeHash", "status", "type", "updatedAt" FROM "Institution";
DROP TABLE "Institution";
ALTER TABLE "new_Institution" RENAME TO "Institution";
CREATE UNIQUE INDEX "Institution_institutionCode_key" ON "Institution"("institutionCode");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Account_username_key" ON "Account"("username");

-- CreateIndex
CREATE INDEX "Account_institutionId_idx" ON "Account"("institutionId");

-- CreateIndex
CREATE UNIQUE INDEX "AccessToken_tokenHash_key" ON "AccessToken"("tokenHash");

-- CreateIndex
CREATE INDEX "AccessToken_accountId_idx" ON "AccessToken"("accountId");

-- CreateIndex
CREATE INDEX "LoginAttempt_key_createdAt_idx" ON "LoginAttempt"("key", "createdAt");

-- CreateIndex
CREATE INDEX "BatchEvent_batchId_createdAt_idx" ON "BatchEvent"("batchId", "createdAt");
