-- CreateTable
CREATE TABLE "Institution" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'registered',
    "scopeHash" TEXT,
    "issuerAddress" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Batch" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "institutionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "merkleRoot" TEXT,
    "leafCount" INTEGER NOT NULL DEFAULT 0,
    "metadataHash" TEXT,
    "anchorTxHash" TEXT,
    "anchorBlock" BIGINT,
    "anchoredAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Batch_institutionId_fkey" FOREIGN KEY ("institutionId") REFERENCES "Institution" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Certificate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "batchId" TEXT NOT NULL,
    "certificateNumber" TEXT NOT NULL,
    "leafHash" TEXT NOT NULL,
    "leafIndex" INTEGER,
    "saltedRecordJson" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'issued',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Certificate_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "Batch" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Revocation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "batchId" TEXT NOT NULL,
    "certificateId" TEXT,
    "reasonCode" INTEGER NOT NULL,
    "txHash" TEXT,
    "blockNumber" BIGINT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Revocation_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "Batch" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Revocation_certificateId_fkey" FOREIGN KEY ("certificateId") REFERENCES "Certificate" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AnchorOutbox" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "batchId" TEXT NOT NULL,
    "root" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "nonce" INTEGER,
    "rawTx" TEXT,
    "txHash" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "AnchorOutbox_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "Batch" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Batch_merkleRoot_key" ON "Batch"("merkleRoot");

-- CreateIndex
CREATE INDEX "Batch_institutionId_status_idx" ON "Batch"("institutionId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_certificateNumber_key" ON "Certificate"("certificateNumber");

-- CreateIndex
CREATE INDEX "Certificate_leafHash_idx" ON "Certificate"("leafHash");

-- CreateIndex
CREATE UNIQUE INDEX "Certificate_batchId_leafIndex_key" ON "Certificate"("batchId", "leafIndex");

-- CreateIndex
CREATE INDEX "Revocation_batchId_idx" ON "Revocation"("batchId");

-- CreateIndex
CREATE INDEX "Revocation_certificateId_idx" ON "Revocation"("certificateId");

-- CreateIndex
CREATE UNIQUE INDEX "AnchorOutbox_batchId_key" ON "AnchorOutbox"("batchId");

-- CreateIndex
CREATE INDEX "AnchorOutbox_state_nextAttemptAt_idx" ON "AnchorOutbox"("state", "nextAttemptAt");
