import path from "node:path";
import { startEmbeddedNode, type EmbeddedNode } from "../../../server/chain/embedded-node.js";
import { silentLogger } from "../../../server/logger.js";
import { freePort } from "./ports.js";

/** An embedded anvil on a free port with its state under `directory`. Stop it in an after hook. */
export async function startTestAnvil(directory: string, options: { port?: number } = {}): Promise<EmbeddedNode> {
  return startEmbeddedNode({
    port: options.port ?? (await freePort()),
    chainId: 31337,
    stateFile: path.join(directory, "chain", "state.json"),
    logger: silentLogger,
  });
}
