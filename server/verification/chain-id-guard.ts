/**
 * Makes a ChainReader refuse to answer from the wrong chain. core's reader compares the chain id
 * only in `describe()`, which verification calls last; wrapped, the first read of a verification
 * checks it, so an endpoint on another chain is an ERROR fragment (RPC_WRONG_CHAIN, "cannot verify")
 * rather than answers about a look-alike registry. Browser-safe.
 */
import type { ChainReader } from "../../core/index.js";

export function withChainIdCheck(reader: ChainReader): ChainReader {
  let checked: Promise<unknown> | undefined;
  const afterCheck = <T>(read: () => Promise<T>): Promise<T> => {
    if (!checked) {
      checked = reader.describe();
      // A failed check is retried by the next read rather than remembered.
      checked.catch(() => (checked = undefined));
    }
    return checked.then(read);
  };
  return {
    describe: () => reader.describe(),
    getBatch: (root) => afterCheck(() => reader.getBatch(root)),
    getBatchRevocation: (root) => afterCheck(() => reader.getBatchRevocation(root)),
    getCertificateRevocation: (root, leaf) => afterCheck(() => reader.getCertificateRevocation(root, leaf)),
    institutionStatus: (id) => afterCheck(() => reader.institutionStatus(id)),
    institutionStatusAt: (id, block) => afterCheck(() => reader.institutionStatusAt(id, block)),
  };
}
