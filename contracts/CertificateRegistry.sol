// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICertificateRegistry} from "./interfaces/ICertificateRegistry.sol";

/// @title CertificateRegistry
/// @notice Registry of assessment institutions, their issuer addresses, the Merkle roots they anchor
/// and the revocations of batches and single certificates. See {ICertificateRegistry}.
/// @dev Check order, the same in every function, so that a caller always gets the most fundamental
/// error first: (1) may the caller act at all (role, issuer binding, institution approved, batch
/// institution), (2) arguments that are wrong whatever the state (zero values), (3) stored state
/// (unknown or duplicate entries, status transitions). The revoke functions must read the batch to
/// know who may act on it, so `RegistryUnknownRoot` comes first there.
///
/// Storage is packed tighter than the ABI structs: institutions take 2 slots, batches 3 (the
/// institution is referenced by a 32-bit registration index), revocations and history entries 1.
contract CertificateRegistry is ICertificateRegistry, AccessControl {
    /// @notice Role of the supervising authority: manages institutions and issuers, may revoke anything.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");

    /// @dev `status` repeats the last history entry so that anchoring reads a single slot.
    struct InstitutionRecord {
        InstitutionStatus status;
        uint32 index;
        uint64 registeredBlock;
        bytes32 scopeHash;
    }

    /// @dev `anchoredBy` is never zero for an anchored batch, so it doubles as the existence flag.
    struct BatchRecord {
        bytes32 metadataHash;
        address anchoredBy;
        BatchKind kind;
        uint32 leafCount;
        uint32 institutionIndex;
        uint64 anchoredBlock;
        uint64 anchoredAt;
    }

    /// @dev One slot. 40 bits of block number or seconds last for over 30,000 years.
    struct RevocationRecord {
        address revokedBy;
        uint16 reasonCode;
        uint40 blockNumber;
        uint40 timestamp;
    }

    mapping(bytes32 institutionId => InstitutionRecord) private _institutions;
    mapping(bytes32 institutionId => StatusChange[]) private _statusHistory;
    /// @dev Registration index (from 1) to institution id; index 0 maps to the zero id.
    mapping(uint32 index => bytes32 institutionId) private _institutionIds;
    uint32 private _institutionCount;
    mapping(address issuer => bytes32 institutionId) private _issuerInstitutions;
    mapping(bytes32 root => BatchRecord) private _batches;
    mapping(bytes32 root => RevocationRecord) private _batchRevocations;
    mapping(bytes32 root => mapping(bytes32 leaf => RevocationRecord)) private _certificateRevocations;

    /// @notice Deploys the registry under the supervision of `regulator`.
    /// @param regulator receives `DEFAULT_ADMIN_ROLE` and `REGULATOR_ROLE`; non-zero.
    constructor(address regulator) {
        if (regulator == address(0)) revert RegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, regulator);
        _grantRole(REGULATOR_ROLE, regulator);
    }

    // ----------------------------------------------------------------------------------------
    // Regulator
    // ----------------------------------------------------------------------------------------

    /// @inheritdoc ICertificateRegistry
    function registerInstitution(bytes32 institutionId, bytes32 scopeHash) external onlyRole(REGULATOR_ROLE) {
        if (institutionId == bytes32(0)) revert RegistryZeroInstitutionId();
        InstitutionRecord storage institution = _institutions[institutionId];
        if (institution.status != InstitutionStatus.None)
            revert RegistryInstitutionAlreadyRegistered(institutionId);

        uint32 index = ++_institutionCount;
        _institutionIds[index] = institutionId;
        institution.index = index;
        institution.registeredBlock = SafeCast.toUint64(block.number);
        institution.scopeHash = scopeHash;
        emit InstitutionRegistered(institutionId, scopeHash);

        _setStatus(institutionId, institution, InstitutionStatus.Registered, 0);
    }

    /// @inheritdoc ICertificateRegistry
    function updateInstitutionScope(
        bytes32 institutionId,
        bytes32 scopeHash
    ) external onlyRole(REGULATOR_ROLE) {
        InstitutionRecord storage institution = _registeredInstitution(institutionId);
        if (institution.status == InstitutionStatus.Revoked) {
            revert RegistryInstitutionNotActive(institutionId, InstitutionStatus.Revoked);
        }
        institution.scopeHash = scopeHash;
        emit InstitutionScopeUpdated(institutionId, scopeHash);
    }

    /// @inheritdoc ICertificateRegistry
    function approveInstitution(bytes32 institutionId) external onlyRole(REGULATOR_ROLE) {
        _transition(institutionId, InstitutionStatus.Registered, InstitutionStatus.Approved, 0);
    }

    /// @inheritdoc ICertificateRegistry
    function suspendInstitution(bytes32 institutionId, uint16 reasonCode) external onlyRole(REGULATOR_ROLE) {
        if (reasonCode == 0) revert RegistryZeroReasonCode();
        _transition(institutionId, InstitutionStatus.Approved, InstitutionStatus.Suspended, reasonCode);
    }

    /// @inheritdoc ICertificateRegistry
    function reinstateInstitution(bytes32 institutionId) external onlyRole(REGULATOR_ROLE) {
        _transition(institutionId, InstitutionStatus.Suspended, InstitutionStatus.Approved, 0);
    }

    /// @inheritdoc ICertificateRegistry
    function revokeInstitution(bytes32 institutionId, uint16 reasonCode) external onlyRole(REGULATOR_ROLE) {
        if (reasonCode == 0) revert RegistryZeroReasonCode();
        InstitutionRecord storage institution = _registeredInstitution(institutionId);
        InstitutionStatus from = institution.status;
        if (from == InstitutionStatus.Revoked) {
            revert RegistryInvalidStatusTransition(institutionId, from, InstitutionStatus.Revoked);
        }
        _setStatus(institutionId, institution, InstitutionStatus.Revoked, reasonCode);
    }

    /// @inheritdoc ICertificateRegistry
    function bindIssuer(address issuer, bytes32 institutionId) external onlyRole(REGULATOR_ROLE) {
        if (issuer == address(0)) revert RegistryZeroAddress();
        InstitutionStatus status = _registeredInstitution(institutionId).status;
        if (status == InstitutionStatus.Revoked) revert RegistryInstitutionNotActive(institutionId, status);
        bytes32 current = _issuerInstitutions[issuer];
        if (current != bytes32(0)) revert RegistryIssuerAlreadyBound(issuer, current);

        _issuerInstitutions[issuer] = institutionId;
        emit IssuerBound(issuer, institutionId);
    }

    /// @inheritdoc ICertificateRegistry
    function unbindIssuer(address issuer) external onlyRole(REGULATOR_ROLE) {
        bytes32 institutionId = _issuerInstitutions[issuer];
        if (institutionId == bytes32(0)) revert RegistryIssuerNotBound(issuer);

        delete _issuerInstitutions[issuer];
        emit IssuerUnbound(issuer, institutionId);
    }

    // ----------------------------------------------------------------------------------------
    // Issuers
    // ----------------------------------------------------------------------------------------

    /// @inheritdoc ICertificateRegistry
    function anchorRoot(bytes32 root, BatchKind kind, uint32 leafCount, bytes32 metadataHash) external {
        address issuer = _msgSender();
        bytes32 institutionId = _issuerInstitutions[issuer];
        if (institutionId == bytes32(0)) revert RegistryIssuerNotBound(issuer);
        InstitutionRecord storage institution = _institutions[institutionId];
        InstitutionStatus status = institution.status;
        if (status != InstitutionStatus.Approved) revert RegistryInstitutionNotActive(institutionId, status);
        if (root == bytes32(0)) revert RegistryZeroRoot();
        if (leafCount == 0) revert RegistryEmptyBatch(root);
        BatchRecord storage batch = _batches[root];
        if (batch.anchoredBy != address(0)) revert RegistryRootAlreadyAnchored(root, batch.anchoredBlock);

        _batches[root] = BatchRecord({
            metadataHash: metadataHash,
            anchoredBy: issuer,
            kind: kind,
            leafCount: leafCount,
            institutionIndex: institution.index,
            anchoredBlock: SafeCast.toUint64(block.number),
            anchoredAt: SafeCast.toUint64(block.timestamp)
        });
        emit RootAnchored(root, institutionId, kind, leafCount, metadataHash);
    }

    /// @inheritdoc ICertificateRegistry
    function revokeCertificate(bytes32 root, bytes32 leaf, uint16 reasonCode) external {
        (BatchRecord storage batch, bytes32 institutionId) = _anchoredBatch(root);
        _checkBatchAuthority(root, institutionId);
        if (reasonCode == 0) revert RegistryZeroReasonCode();
        if (batch.kind != BatchKind.Certificates) revert RegistryNotCertificateBatch(root, batch.kind);
        if (_certificateRevocations[root][leaf].blockNumber != 0)
            revert RegistryCertificateAlreadyRevoked(root, leaf);

        _certificateRevocations[root][leaf] = _newRevocation(reasonCode);
        emit CertificateRevoked(root, leaf, institutionId, reasonCode);
    }

    /// @inheritdoc ICertificateRegistry
    function revokeBatch(bytes32 root, uint16 reasonCode) external {
        (, bytes32 institutionId) = _anchoredBatch(root);
        _checkBatchAuthority(root, institutionId);
        if (reasonCode == 0) revert RegistryZeroReasonCode();
        if (_batchRevocations[root].blockNumber != 0) revert RegistryBatchAlreadyRevoked(root);

        _batchRevocations[root] = _newRevocation(reasonCode);
        emit BatchRevoked(root, institutionId, reasonCode);
    }

    // ----------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------

    /// @inheritdoc ICertificateRegistry
    function getBatch(bytes32 root) external view returns (Batch memory) {
        BatchRecord storage batch = _batches[root];
        return
            Batch({
                institutionId: _institutionIds[batch.institutionIndex],
                kind: batch.kind,
                leafCount: batch.leafCount,
                metadataHash: batch.metadataHash,
                anchoredBlock: batch.anchoredBlock,
                anchoredAt: batch.anchoredAt,
                anchoredBy: batch.anchoredBy
            });
    }

    /// @inheritdoc ICertificateRegistry
    function getBatchRevocation(bytes32 root) external view returns (Revocation memory) {
        return _toRevocation(_batchRevocations[root]);
    }

    /// @inheritdoc ICertificateRegistry
    function getCertificateRevocation(bytes32 root, bytes32 leaf) external view returns (Revocation memory) {
        return _toRevocation(_certificateRevocations[root][leaf]);
    }

    /// @inheritdoc ICertificateRegistry
    function isRevoked(bytes32 root, bytes32 leaf) external view returns (bool) {
        return
            _batchRevocations[root].blockNumber != 0 || _certificateRevocations[root][leaf].blockNumber != 0;
    }

    /// @inheritdoc ICertificateRegistry
    function getInstitution(bytes32 institutionId) external view returns (Institution memory) {
        InstitutionRecord storage institution = _institutions[institutionId];
        return
            Institution({
                status: institution.status,
                scopeHash: institution.scopeHash,
                registeredBlock: institution.registeredBlock
            });
    }

    /// @inheritdoc ICertificateRegistry
    function institutionStatusAt(
        bytes32 institutionId,
        uint64 blockNumber
    ) external view returns (InstitutionStatus) {
        StatusChange[] storage history = _statusHistory[institutionId];
        // Upper bound: `low` ends as the number of changes made in or before `blockNumber`, so the
        // last change of a block wins.
        uint256 low = 0;
        uint256 high = history.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (history[mid].blockNumber > blockNumber) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low == 0 ? InstitutionStatus.None : history[low - 1].status;
    }

    /// @inheritdoc ICertificateRegistry
    function getInstitutionHistory(bytes32 institutionId) external view returns (StatusChange[] memory) {
        return _statusHistory[institutionId];
    }

    /// @inheritdoc ICertificateRegistry
    function issuerInstitution(address issuer) external view returns (bytes32) {
        return _issuerInstitutions[issuer];
    }

    /// @inheritdoc ICertificateRegistry
    function verify(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @notice Also true for the {ICertificateRegistry} interface id.
    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(ICertificateRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // ----------------------------------------------------------------------------------------
    // Internal
    // ----------------------------------------------------------------------------------------

    /// @dev Moves `institutionId` from `from` to `to`, or reverts with the status it is really in.
    function _transition(
        bytes32 institutionId,
        InstitutionStatus from,
        InstitutionStatus to,
        uint16 reasonCode
    ) private {
        InstitutionRecord storage institution = _registeredInstitution(institutionId);
        InstitutionStatus current = institution.status;
        if (current != from) revert RegistryInvalidStatusTransition(institutionId, current, to);
        _setStatus(institutionId, institution, to, reasonCode);
    }

    /// @dev Sets the status, appends it to the history and emits `InstitutionStatusChanged`.
    function _setStatus(
        bytes32 institutionId,
        InstitutionRecord storage institution,
        InstitutionStatus status,
        uint16 reasonCode
    ) private {
        institution.status = status;
        _statusHistory[institutionId].push(
            StatusChange({
                status: status,
                reasonCode: reasonCode,
                blockNumber: SafeCast.toUint64(block.number),
                timestamp: SafeCast.toUint64(block.timestamp)
            })
        );
        emit InstitutionStatusChanged(institutionId, status, reasonCode);
    }

    /// @dev Reverts with `RegistryNotBatchInstitution` unless the caller is an issuer currently bound
    /// to the batch's institution (whatever that institution's status) or holds `REGULATOR_ROLE`.
    function _checkBatchAuthority(bytes32 root, bytes32 institutionId) private view {
        address account = _msgSender();
        if (_issuerInstitutions[account] != institutionId && !hasRole(REGULATOR_ROLE, account)) {
            revert RegistryNotBatchInstitution(account, root);
        }
    }

    function _registeredInstitution(bytes32 institutionId) private view returns (InstitutionRecord storage) {
        InstitutionRecord storage institution = _institutions[institutionId];
        if (institution.status == InstitutionStatus.None) revert RegistryUnknownInstitution(institutionId);
        return institution;
    }

    function _anchoredBatch(
        bytes32 root
    ) private view returns (BatchRecord storage batch, bytes32 institutionId) {
        batch = _batches[root];
        if (batch.anchoredBy == address(0)) revert RegistryUnknownRoot(root);
        institutionId = _institutionIds[batch.institutionIndex];
    }

    function _newRevocation(uint16 reasonCode) private view returns (RevocationRecord memory) {
        return
            RevocationRecord({
                revokedBy: _msgSender(),
                reasonCode: reasonCode,
                blockNumber: SafeCast.toUint40(block.number),
                timestamp: SafeCast.toUint40(block.timestamp)
            });
    }

    function _toRevocation(RevocationRecord storage revocation) private view returns (Revocation memory) {
        return
            Revocation({
                reasonCode: revocation.reasonCode,
                blockNumber: revocation.blockNumber,
                timestamp: revocation.timestamp,
                revokedBy: revocation.revokedBy
            });
    }
}
