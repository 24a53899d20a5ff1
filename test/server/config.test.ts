import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { HDNodeWallet, Mnemonic } from "ethers";
import { DEV_MNEMONIC, WELL_KNOWN_DEV_ACCOUNTS } from "../../server/chain/dev-accounts.js";
import { ConfigError, describeConfig, parseConfig, type Environment } from "../../server/config.js";
import { PROJECT_ROOT } from "../../server/paths.js";

const SOME_KEY = `0x${"1".repeat(64)}`;
const BESU = {
  CHAIN_RPC_URL: "https://besu.example.cn:8545",
  CHAIN_ID: "1337",
  SIGNER_PRIVATE_KEY: SOME_KEY,
  PUBLIC_URL: "https://verify.example.cn",
};

function configError(env: Environment): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail("expected a ConfigError");
}

const variablesIn = (error: ConfigError) => error.issues.map((issue) => issue.variable);

describe("server configuration (parseConfig)", function () {
  it("documents every variable it reads in the README's configuration table", function () {
    const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Error codes"));
    const source = readFileSync(path.join(PROJECT_ROOT, "server/config.ts"), "utf8");
    const variables = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);

    expect(variables).to.include.members(["PUBLIC_URL", "VERIFIER_RPC_URLS", "COOKIE_SECURE", "ISSUER_KEY_SECRET"]);
    expect(variables.filter((variable) => !table.includes(`\`${variable}\``))).to.deep.equal([]);
  });

  describe("defaults", function () {
    it("runs on an embedded chain with SQLite under ./data when nothing is set", function () {
      const config = parseConfig({});
      expect(config.dataDir).to.equal(path.resolve("data"));
      expect(config.http).to.deep.equal({ host: "127.0.0.1", port: 8080 });
      expect(config.database).to.deep.equal({
        provider: "sqlite",
        url: `file:${path.resolve("data", "skillcert.db")}`,
      });
      expect(config.chain).to.deep.include({
        mode: "embedded",
        chainId: 31337,
        anvilPort: 8545,
        rpcUrl: "http://127.0.0.1:8545",
        stateFile: path.resolve("data", "chain", "state.json"),
        deploymentFile: path.resolve("data", "chain", "deployment.json"),
      });
      expect(config.signer.source).to.equal("dev-account-0");
      expect(config.confirmations).to.equal(1);
      expect(config.logLevel).to.equal("info");
    });

    it("puts the database and chain files under SKILLCERT_DATA_DIR", function () {
      const config = parseConfig({ SKILLCERT_DATA_DIR: "/srv/skillcert" });
      expect(config.database.url).to.equal("file:/srv/skillcert/skillcert.db");
      expect(config.chain.deploymentFile).to.equal("/srv/skillcert/chain/deployment.json");
    });

    it("treats empty variables as unset and accepts PORT=0", function () {
      const config = parseConfig({ PORT: "0", HOST: "", LOG_LEVEL: " ", ANVIL_PORT: "" });
      expect(config.http).to.deep.equal({ host: "127.0.0.1", port: 0 });
      expect(config.logLevel).to.equal("info");
      expect(config.chain.mode === "embedded" && config.chain.anvilPort).to.equal(8545);
    });

    it("selects PostgreSQL by the URL scheme", function () {
      const config = parseConfig({ DATABASE_URL: "postgresql://skillcert@db:5432/skillcert" });
      expect(config.database.provider).to.equal("postgresql");
    });

    it("returns a frozen configuration", function () {
      const config = parseConfig({});
      expect(Object.isFrozen(config)).to.equal(true);
      expect(Object.isFrozen(config.chain)).to.equal(true);
    });
  });

  describe("invalid values", function () {
    it("names every invalid variable in one error", function () {
      const error = configError({
        PORT: "http",
        ANVIL_PORT: "70000",
        HOST: "127.0.0.1",
        DATABASE_URL: "mysql://db/skillcert",
        CHAIN_ID: "-5",
        REGISTRY_ADDRESS: "0x1234",
        SIGNER_PRIVATE_KEY: "not-a-key",
        CONFIRMATIONS: "0",
        LOG_LEVEL: "verbose",
      });
      expect(variablesIn(error)).to.have.members([
        "PORT",
        "ANVIL_PORT",
        "DATABASE_URL",
        "CHAIN_ID",
        "REGISTRY_ADDRESS",
        "SIGNER_PRIVATE_KEY",
        "CONFIRMATIONS",
        "LOG_LEVEL",
      ]);
      for (const variable of variablesIn(error)) expect(error.message).to.contain(`- ${variable}: `);
    });

    it("rejects a CHAIN_RPC_URL that is not http(s)", function () {
      expect(variablesIn(configError({ ...BESU, CHAIN_RPC_URL: "besu:8545" }))).to.deep.equal(["CHAIN_RPC_URL"]);
    });

    it("rejects a mixed-case REGISTRY_ADDRESS with a wrong checksum", function () {
      const wrongChecksum = "0x5FbDB2315678afecb367f032d93F642f64180aA3";
      expect(variablesIn(configError({ ...BESU, REGISTRY_ADDRESS: wrongChecksum }))).to.deep.equal(["REGISTRY_ADDRESS"]);
    });

    it("never repeats a secret in its messages", function () {
      const secret = "0xsecretsecretsecret";
      const error = configError({ SIGNER_PRIVATE_KEY: secret, DATABASE_URL: "mysql://user:hunter2@db/x" });
      expect(error.message).not.to.contain("secretsecret");
      expect(error.message).not.to.contain("hunter2");
    });
  });

  describe("external chain", function () {
    it("requires CHAIN_ID with CHAIN_RPC_URL", function () {
      const { CHAIN_ID: _omitted, ...withoutChainId } = BESU;
      expect(variablesIn(configError(withoutChainId))).to.deep.equal(["CHAIN_ID"]);
    });

    it("requires PUBLIC_URL with CHAIN_RPC_URL: the printed QR host must be stable configuration", function () {
      const { PUBLIC_URL: _omitted, ...withoutPublicUrl } = BESU;
      const error = configError(withoutPublicUrl);
      expect(variablesIn(error)).to.deep.equal(["PUBLIC_URL"]);
      expect(error.message).to.contain("QR code");
    });

    it("requires a signer with CHAIN_RPC_URL", function () {
      const { SIGNER_PRIVATE_KEY: _omitted, ...withoutSigner } = BESU;
      expect(variablesIn(configError(withoutSigner))).to.deep.equal(["SIGNER_PRIVATE_KEY"]);
    });

    it("refuses every well-known development key, with or without 0x and in any case", function () {
      for (const { privateKey } of WELL_KNOWN_DEV_ACCOUNTS) {
        for (const spelling of [privateKey, privateKey.slice(2), privateKey.toUpperCase().replace("0X", "0x")]) {
          const error = configError({ ...BESU, SIGNER_PRIVATE_KEY: spelling });
          expect(variablesIn(error)).to.deep.equal(["SIGNER_PRIVATE_KEY"]);
          expect(error.message).to.contain("publicly known development key");
        }
      }
    });

    it("accepts an external chain with its id, a registry address and a key", function () {
      const config = parseConfig({ ...BESU, REGISTRY_ADDRESS: "0x5fbdb2315678afecb367f032d93f642f64180aa3" });
      expect(config.chain).to.deep.include({
        mode: "external",
        rpcUrl: BESU.CHAIN_RPC_URL,
        chainId: 1337,
        registryAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      });
      expect(config.signer).to.deep.equal({ source: "private-key", privateKey: SOME_KEY });
    });

    it("accepts a keystore with its password instead of a raw key", function () {
      const { SIGNER_PRIVATE_KEY: _omitted, ...withoutKey } = BESU;
      const config = parseConfig({ ...withoutKey, SIGNER_KEYSTORE_PATH: "keys/issuer.json", SIGNER_KEYSTORE_PASSWORD: "" });
      expect(config.signer).to.deep.equal({
        source: "keystore",
        keystorePath: path.resolve("keys/issuer.json"),
        password: "",
      });
    });

    it("rejects a keystore without password, a password without keystore, and both signer kinds at once", function () {
      const { SIGNER_PRIVATE_KEY: _omitted, ...withoutKey } = BESU;
      expect(variablesIn(configError({ ...withoutKey, SIGNER_KEYSTORE_PATH: "k.json" }))).to.deep.equal(["SIGNER_KEYSTORE_PASSWORD"]);
      expect(variablesIn(configError({ ...BESU, SIGNER_KEYSTORE_PASSWORD: "pw" }))).to.deep.equal(["SIGNER_KEYSTORE_PATH"]);
      expect(variablesIn(configError({ ...BESU, SIGNER_KEYSTORE_PATH: "k.json", SIGNER_KEYSTORE_PASSWORD: "pw" }))).to.deep.equal([
        "SIGNER_PRIVATE_KEY",
      ]);
    });

    it("redacts credentials when describing the configuration", function () {
      const config = parseConfig({
        ...BESU,
        CHAIN_RPC_URL: "https://node:rpc-pass@besu.example.cn",
        DATABASE_URL: "postgresql://skillcert:db-pass@db/skillcert",
      });
      const described = JSON.stringify(describeConfig(config));
      expect(described).not.to.contain("rpc-pass");
      expect(described).not.to.contain("db-pass");
      expect(described).not.to.contain(SOME_KEY.slice(2));
    });
  });

  describe("embedded chain", function () {
    it("rejects a CHAIN_ID other than 31337 and a REGISTRY_ADDRESS", function () {
      const error = configError({ CHAIN_ID: "1", REGISTRY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3" });
      expect(variablesIn(error)).to.have.members(["CHAIN_ID", "REGISTRY_ADDRESS"]);
    });

    it("rejects ANVIL_PORT equal to PORT", function () {
      expect(variablesIn(configError({ PORT: "9000", ANVIL_PORT: "9000" }))).to.deep.equal(["ANVIL_PORT"]);
    });

    it("accepts an explicit development key", function () {
      const key = WELL_KNOWN_DEV_ACCOUNTS[1]!.privateKey;
      expect(parseConfig({ SIGNER_PRIVATE_KEY: key }).signer).to.deep.equal({ source: "private-key", privateKey: key });
    });
  });

  it("lists exactly the ten accounts of the public test mnemonic as development accounts", function () {
    const mnemonic = Mnemonic.fromPhrase(DEV_MNEMONIC);
    const derived = Array.from({ length: 10 }, (_, index) => {
      const wallet = HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${index}`);
      return { privateKey: wallet.privateKey, address: wallet.address };
    });
    expect(WELL_KNOWN_DEV_ACCOUNTS).to.deep.equal(derived);
  });
});
