// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICertificateRegistry
/// @notice Anchors Merkle roots of vocational skill-level certificate batches (and of signed process,
/// score, audit-log and evidence records) for approved assessment institutions, and records
/// revocations. Nothing personal is ever stored here: a root commits to salted field hashes only.
/// @dev Leaves are the double keccak256 hashes computed by `core/leaf.ts`; pairs are sorted, as in
/// OpenZeppelin's `MerkleProof`. Institution ids are the institution's 18-character unified social
/// credit code, ASCII, left-aligned in a bytes32 (public data, not personal).
///
/// Roles: the regulator (`REGULATOR_ROLE` in the implementation) manages institutions and issuer
/// bindings and may revoke anything; an issuer is an address bound to one institution.
///
/// Errors are checked in a fixed order, so a call that is wrong in several ways always reports the
/// same error: (1) may the caller act (role; issuer binding and `Approved` institution for
/// `anchorRoot`; batch institution for revocations, which first need the root to exist),
/// (2) arguments that are wrong whatever the state (zero values), (3) stored state (unknown or
/// duplicate entries, status transitions).
interface ICertificateRegistry {
    /// @notice Lifecycle of an assessment institution (评价机构). `None` means never registered.
    /// `Registered → Approved ⇄ Suspended`; any of those `→ Revoked`, which is terminal.
    enum InstitutionStatus {
        None,
        Registered,
        Approved,
        Suspended,
        Revoked
    }

    /// @notice What an anchored root commits to. Only `Certificates` batches have revocable leaves.
    enum BatchKind {
        Certificates,
        ProcessRecords,
        AuditLog,
        Evidence
    }

    /// @notice An institution as returned by `getInstitution`.
    struct Institution {
        InstitutionStatus status;
        bytes32 scopeHash;
        uint64 registeredBlock;
    }

    /// @notice One entry of an institution's status history.
    struct StatusChange {
        InstitutionStatus status;
        uint16 reasonCode;
        uint64 blockNumber;
        uint64 timestamp;
    }

    /// @notice A batch as returned by `getBatch` (the storage layout is the implementation's).
    struct Batch {
        bytes32 institutionId;
        BatchKind kind;
        uint32 leafCount;
        bytes32 metadataHash;
        uint64 anchoredBlock;
        uint64 anchoredAt;
        address anchoredBy;
    }

    /// @notice A revocation of a batch or of one certificate leaf.
    struct Revocation {
        uint16 reasonCode;
        uint64 blockNumber;
        uint64 timestamp;
        address revokedBy;
    }

    // ----------------------------------------------------------------------------------------
    // Events (past tense, emitted right after the state change)
    // ----------------------------------------------------------------------------------------

    /// @notice An institution was registered; `InstitutionStatusChanged(…, Registered, 0)` follows.
    /// @param institutionId the institution's credit code as bytes32
    /// @param scopeHash hash of its filed scope
    event InstitutionRegistered(bytes32 indexed institutionId, bytes32 scopeHash);

    /// @notice The filed-scope hash of an institution was replaced.
    /// @param institutionId the institution
    /// @param scopeHash the new scope hash
    event InstitutionScopeUpdated(bytes32 indexed institutionId, bytes32 scopeHash);

    /// @notice An institution's status changed (including the initial `Registered`).
    /// @param institutionId the institution
    /// @param status the new status
    /// @param reasonCode the supervision reason (non-zero for `Suspended` and `Revoked`, else 0)
    event InstitutionStatusChanged(
        bytes32 indexed institutionId,
        InstitutionStatus indexed status,
        uint16 reasonCode
    );

    /// @notice An issuer address was bound to an institution.
    /// @param issuer the issuer address
    /// @param institutionId the institution it now serves
    event IssuerBound(address indexed issuer, bytes32 indexed institutionId);

    /// @notice An issuer address was unbound.
    /// @param issuer the issuer address
    /// @param institutionId the institution it served
    event IssuerUnbound(address indexed issuer, bytes32 indexed institutionId);

    /// @notice A Merkle root was anchored.
    /// @param root the Merkle root
    /// @param institutionId the anchoring issuer's institution
    /// @param kind what the root commits to
    /// @param leafCount number of leaves in the batch
    /// @param metadataHash hash of the batch's off-chain metadata
    event RootAnchored(
        bytes32 indexed root,
        bytes32 indexed institutionId,
        BatchKind kind,
        uint32 leafCount,
        bytes32 metadataHash
    );

    /// @notice One certificate leaf was revoked.
    /// @param root the batch's root
    /// @param leaf the revoked leaf hash
    /// @param institutionId the batch's institution
    /// @param reasonCode the revocation reason
    event CertificateRevoked(
        bytes32 indexed root,
        bytes32 indexed leaf,
        bytes32 indexed institutionId,
        uint16 reasonCode
    );

    /// @notice A whole batch was revoked.
    /// @param root the batch's root
    /// @param institutionId the batch's institution
    /// @param reasonCode the revocation reason
    event BatchRevoked(bytes32 indexed root, bytes32 indexed institutionId, uint16 reasonCode);

    // ----------------------------------------------------------------------------------------
    // Errors (prefixed by the contract, carrying the offending values)
    // ----------------------------------------------------------------------------------------

    error RegistryZeroInstitutionId();
    error RegistryInstitutionAlreadyRegistered(bytes32 institutionId);
    error RegistryUnknownInstitution(bytes32 institutionId);
    error RegistryInvalidStatusTransition(
        bytes32 institutionId,
        InstitutionStatus from,
        InstitutionStatus to
    );
    error RegistryZeroAddress();
    error RegistryIssuerAlreadyBound(address issuer, bytes32 institutionId);
    error RegistryIssuerNotBound(address issuer);
    error RegistryInstitutionNotActive(bytes32 institutionId, InstitutionStatus status);
    error RegistryZeroRoot();
    error RegistryEmptyBatch(bytes32 root);
    error RegistryRootAlreadyAnchored(bytes32 root, uint64 anchoredBlock);
    error RegistryUnknownRoot(bytes32 root);
    error RegistryNotCertificateBatch(bytes32 root, BatchKind kind);
    error RegistryZeroReasonCode();
    error RegistryNotBatchInstitution(address account, bytes32 root);
    error RegistryCertificateAlreadyRevoked(bytes32 root, bytes32 leaf);
    error RegistryBatchAlreadyRevoked(bytes32 root);

    // ----------------------------------------------------------------------------------------
    // Regulator (REGULATOR_ROLE; anyone else gets AccessControlUnauthorizedAccount)
    // ----------------------------------------------------------------------------------------

    /// @notice Registers an institution with the hash of its filed scope (occupation × level list).
    /// The institution starts as `Registered` and cannot anchor until approved.
    /// @dev Reverts with `RegistryZeroInstitutionId` or `RegistryInstitutionAlreadyRegistered` (also for
    /// a revoked id: ids are never reused). Emits `InstitutionRegistered`, then `InstitutionStatusChanged`.
    /// @param institutionId the institution's credit code as bytes32; non-zero
    /// @param scopeHash hash of the filed scope
    function registerInstitution(bytes32 institutionId, bytes32 scopeHash) external;

    /// @notice Replaces the filed-scope hash of a registered institution (e.g. after a new filing).
    /// @dev Reverts with `RegistryUnknownInstitution`, or `RegistryInstitutionNotActive` when revoked.
    /// @param institutionId the institution
    /// @param scopeHash the new scope hash
    function updateInstitutionScope(bytes32 institutionId, bytes32 scopeHash) external;

    /// @notice Approves a `Registered` institution (→ `Approved`).
    /// @dev Reverts with `RegistryUnknownInstitution` or `RegistryInvalidStatusTransition`.
    /// @param institutionId the institution
    function approveInstitution(bytes32 institutionId) external;

    /// @notice Suspends an `Approved` institution; it can no longer anchor roots. Its batches stay
    /// anchored and its issuers may still revoke them.
    /// @dev Reverts with `RegistryZeroReasonCode`, `RegistryUnknownInstitution` or
    /// `RegistryInvalidStatusTransition`.
    /// @param institutionId the institution
    /// @param reasonCode non-zero code from the documented list of supervision reasons.
    function suspendInstitution(bytes32 institutionId, uint16 reasonCode) external;

    /// @notice Reinstates a `Suspended` institution (→ `Approved`).
    /// @dev Reverts with `RegistryUnknownInstitution` or `RegistryInvalidStatusTransition`.
    /// @param institutionId the institution
    function reinstateInstitution(bytes32 institutionId) external;

    /// @notice Revokes an institution (from `Registered`, `Approved` or `Suspended`). Terminal: a
    /// revoked institution never anchors again, its scope cannot change and no issuer can be bound to it.
    /// @dev Roots anchored before the revocation stay on chain; verifiers compare the batch's
    /// anchor block with `institutionStatusAt`. Reverts with `RegistryZeroReasonCode`,
    /// `RegistryUnknownInstitution` or `RegistryInvalidStatusTransition` (already revoked).
    /// @param institutionId the institution
    /// @param reasonCode non-zero code from the documented list of supervision reasons.
    function revokeInstitution(bytes32 institutionId, uint16 reasonCode) external;

    /// @notice Binds an issuer (signing) address to a registered, not revoked institution (binding
    /// before approval or during a suspension is allowed). An address serves one institution at a time.
    /// @dev Reverts with `RegistryZeroAddress`, `RegistryUnknownInstitution`,
    /// `RegistryInstitutionNotActive` (revoked) or `RegistryIssuerAlreadyBound` (carrying the
    /// institution the issuer is bound to now; unbind first to move it).
    /// @param issuer the issuer address
    /// @param institutionId the institution it will serve
    function bindIssuer(address issuer, bytes32 institutionId) external;

    /// @notice Unbinds an issuer address (e.g. a rotated or compromised key). Its batches stay
    /// anchored; it can no longer anchor nor revoke.
    /// @dev Reverts with `RegistryIssuerNotBound`.
    /// @param issuer the issuer address
    function unbindIssuer(address issuer) external;

    // ----------------------------------------------------------------------------------------
    // Issuers
    // ----------------------------------------------------------------------------------------

    /// @notice Anchors a Merkle root for the caller's institution, which must be `Approved`.
    /// @dev Reverts, in this order, with `RegistryIssuerNotBound`, `RegistryInstitutionNotActive`,
    /// `RegistryZeroRoot`, `RegistryEmptyBatch` or `RegistryRootAlreadyAnchored`. A root can be
    /// anchored once, whatever its kind and institution.
    /// @param root the Merkle root; non-zero
    /// @param kind what the root commits to
    /// @param leafCount number of leaves; non-zero
    /// @param metadataHash hash of the batch's off-chain metadata (template, exam plan, counts).
    function anchorRoot(bytes32 root, BatchKind kind, uint32 leafCount, bytes32 metadataHash) external;

    /// @notice Revokes one certificate leaf of a `Certificates` batch. Callable by an issuer currently
    /// bound to the batch's institution (whatever its status) or by the regulator. Terminal.
    /// @dev Reverts, in this order, with `RegistryUnknownRoot`, `RegistryNotBatchInstitution`,
    /// `RegistryZeroReasonCode`, `RegistryNotCertificateBatch` or `RegistryCertificateAlreadyRevoked`.
    /// The contract does not check that `leaf` belongs to `root` (it would need the proof);
    /// verifiers only ask about leaves whose proof they checked, so a stray entry is harmless.
    /// A leaf of a revoked batch can still be revoked, to record its own reason.
    /// @param root the batch's root
    /// @param leaf the certificate's leaf hash
    /// @param reasonCode non-zero revocation reason
    function revokeCertificate(bytes32 root, bytes32 leaf, uint16 reasonCode) external;

    /// @notice Revokes a whole batch of any kind, by an issuer currently bound to its institution
    /// (whatever its status) or by the regulator. Terminal.
    /// @dev Reverts, in this order, with `RegistryUnknownRoot`, `RegistryNotBatchInstitution`,
    /// `RegistryZeroReasonCode` or `RegistryBatchAlreadyRevoked`.
    /// @param root the batch's root
    /// @param reasonCode non-zero revocation reason
    function revokeBatch(bytes32 root, uint16 reasonCode) external;

    // ----------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------

    /// @notice The batch anchored under `root`; `anchoredBlock == 0` when it was never anchored.
    /// @param root the Merkle root
    /// @return the batch (all zero when unknown)
    function getBatch(bytes32 root) external view returns (Batch memory);

    /// @notice Revocation of the whole batch; `blockNumber == 0` when not revoked.
    /// @param root the batch's root
    /// @return the revocation (all zero when none)
    function getBatchRevocation(bytes32 root) external view returns (Revocation memory);

    /// @notice Revocation of one certificate leaf; `blockNumber == 0` when not revoked.
    /// @param root the batch's root
    /// @param leaf the certificate's leaf hash
    /// @return the revocation (all zero when none)
    function getCertificateRevocation(bytes32 root, bytes32 leaf) external view returns (Revocation memory);

    /// @notice True when the batch or the leaf is revoked.
    /// @param root the batch's root
    /// @param leaf the certificate's leaf hash
    /// @return whether `root` or `leaf` in it is revoked
    function isRevoked(bytes32 root, bytes32 leaf) external view returns (bool);

    /// @notice The institution's current status, scope hash and registration block.
    /// @param institutionId the institution
    /// @return the institution (`status == None` when unknown)
    function getInstitution(bytes32 institutionId) external view returns (Institution memory);

    /// @notice Status in force at the end of block `blockNumber` (`None` before registration). When a
    /// block holds several changes the last one wins; for a future block it is the current status.
    /// @dev O(log h) binary search over the status history of length h.
    /// @param institutionId the institution
    /// @param blockNumber the block, e.g. a batch's `anchoredBlock`
    /// @return the status at the end of that block
    function institutionStatusAt(
        bytes32 institutionId,
        uint64 blockNumber
    ) external view returns (InstitutionStatus);

    /// @notice Every status change of the institution, oldest first.
    /// @param institutionId the institution
    /// @return the history (empty when unknown)
    function getInstitutionHistory(bytes32 institutionId) external view returns (StatusChange[] memory);

    /// @notice The institution an issuer address is bound to, or zero.
    /// @param issuer the address
    /// @return its institution id, or zero when unbound
    function issuerInstitution(address issuer) external view returns (bytes32);

    /// @notice True when `proof` leads from `leaf` to `root` with sorted-pair keccak256 hashing.
    /// @dev Checks inclusion only; whether `root` is anchored or revoked is a separate question.
    /// WARNING: pass leaf hashes (double-hashed), never 64-byte preimages: an inner node would pass.
    /// @param root the Merkle root
    /// @param leaf the leaf hash
    /// @param proof sibling hashes from the leaf up
    /// @return whether the proof is valid
    function verify(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external pure returns (bool);
}
