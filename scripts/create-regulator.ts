/**
 * Creates the first regulator account (province or city skill-assessment centre) in the configured
 * database — DATABASE_URL, or the SQLite file under SKILLCERT_DATA_DIR — applying pending
 * migrations first. Further accounts are then created through the API by that regulator.
 *
 *   npx tsx scripts/create-regulator.ts --username sichuan-centre [--display-name 四川省职业技能鉴定指导中心] [--level province]
 *   printf '%s\n' "$PASSWORD" | npx tsx scripts/create-regulator.ts --username … --password-stdin
 *
 * Without --password-stdin the password is asked twice on the terminal, without echo. Weak
 * passwords are refused (the API's policy). Refuses to run when a regulator already exists,
 * unless --additional. Prints the username, account id and level; never the password or its hash.
 * Exit status: 0 created, 1 refused or failed, 2 usage error.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { createAccountsDependencies, openPrismaHandle, passwordPolicyViolations } from "../server/accounts/index.js";
import { ConfigError, loadConfig } from "../server/config.js";
import { isAppError, messageOf } from "../server/errors.js";
import { silentLogger } from "../server/logger.js";
import { openDatabase } from "../server/storage/database.js";

interface Options {
  username: string;
  displayName?: string;
  level: "province" | "city";
  passwordStdin?: boolean;
  additional?: boolean;
}

class Refused extends Error {}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // The first line; a trailing newline (printf '%s\n', echo) is not part of the password.
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (outcome: () => void) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      outcome();
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (character === "\r" || character === "\n") return finish(() => resolve(value));
        if (character === "\u0003" || character === "\u0004") return finish(() => reject(new Refused("cancelled")));
        if (character === "\u007f" || character === "\b") value = [...value].slice(0, -1).join("");
        else value += character;
      }
    };
    stdin.on("data", onData);
  });
}

async function obtainPassword(options: Options): Promise<string> {
  if (options.passwordStdin) return readPasswordFromStdin();
  if (!process.stdin.isTTY) throw new Refused("no terminal to ask for the password on: pipe it with --password-stdin");
  const first = await promptHidden(`Password for ${options.username}: `);
  const violations = passwordPolicyViolations(first, options.username);
  if (violations.length > 0) return first; // refused below with the reasons, before asking again
  const second = await promptHidden("Repeat the password: ");
  if (first !== second) throw new Refused("the two passwords differ");
  return first;
}

async function createRegulator(options: Options): Promise<void> {
  const config = loadConfig();
  const password = await obtainPassword(options);
  const violations = passwordPolicyViolations(password, options.username.toLowerCase());
  if (violations.length > 0) {
    throw new Refused(
      `weak password (${violations.join(", ")}): use at least 12 characters, at least 5 different ones, not a common password, not containing the username`,
    );
  }
  const { database } = await openDatabase(config.database.url, silentLogger);
  await database.close();
  const prisma = await openPrismaHandle(config.database.url);
  try {
    const { management } = createAccountsDependencies({ prisma, logger: silentLogger });
    const existing = await management.countRegulators();
    if (existing > 0 && !options.additional) {
      throw new Refused(`${existing} regulator account(s) exist already; create more through the API, or pass --additional`);
    }
    const account = await management.createBootstrapRegulator({
      username: options.username,
      displayName: options.displayName ?? options.username,
      password,
      regulatorLevel: options.level,
    });
    print(`Created regulator account ${account.username} (id ${account.id}, level ${account.regulatorLevel}).`);
  } finally {
    await prisma.close();
  }
}

function username(value: string): string {
  const normalized = value.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(normalized)) {
    throw new InvalidArgumentError("3–64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit");
  }
  return normalized;
}

const program = new Command()
  .name("create-regulator")
  .description("Create the first regulator account in the configured database")
  .requiredOption("--username <name>", "login name", username)
  .option("--display-name <text>", "name shown in the UI (default: the username)")
  .addOption(new Option("--level <level>", "regulator level").choices(["province", "city"]).default("province"))
  .option("--password-stdin", "read the password from the first line of standard input")
  .option("--additional", "create it even if a regulator account exists already")
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(async (options: Options) => {
    try {
      await createRegulator(options);
    } catch (error) {
      const message =
        error instanceof Refused || error instanceof ConfigError
          ? error.message
          : isAppError(error)
            ? `${error.code}: ${error.message}`
            : `failed: ${messageOf(error)}`;
      process.stderr.write(`create-regulator: ${message}\n`);
      process.exit(1);
    }
  });

await program.parseAsync(process.argv);
