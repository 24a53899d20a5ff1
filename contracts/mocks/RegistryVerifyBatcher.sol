// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICertificateRegistry} from "../interfaces/ICertificateRegistry.sol";

/// @dev Test-only: asks a registry's `verify` about many proofs in one `eth_call`, so property
/// tests can check thousands of proofs against the real contract code without one RPC each.
contract RegistryVerifyBatcher {
    /// @return failures indexes of the proofs the registry rejected (empty when all pass)
    function verifyAll(
        ICertificateRegistry registry,
        bytes32 root,
        bytes32[] calldata leaves,
        bytes32[][] calldata proofs
    ) external pure returns (uint256[] memory failures) {
        uint256[] memory found = new uint256[](leaves.length);
        uint256 count = 0;
        for (uint256 i = 0; i < leaves.length; ++i) {
            if (!registry.verify(root, leaves[i], proofs[i])) found[count++] = i;
        }
        failures = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) failures[i] = found[i];
    }
}
