/**
 * `skillcert`: issuance from the command line, against a RUNNING SkillCert server's HTTP API.
 *
 *   npx tsx scripts/skillcert.ts template [--format csv|xlsx] [--out FILE] [--force]
 *                                                              the roster template to fill in (default: CSV,
 *                                                              named as the server says, in the current directory)
 *   npx tsx scripts/skillcert.ts import roster.xlsx --site 000001 --template SC-2025-01 --issue-date 2025-07-15
 *   npx tsx scripts/skillcert.ts sign-off <batch>
 *   SKILLCERT_API_TOKEN=<approver's token> npx tsx scripts/skillcert.ts approve <batch>
 *   npx tsx scripts/skillcert.ts anchor <batch>                 wait until anchored (progress)
 *   npx tsx scripts/skillcert.ts export <batch> --out pdfs/     PDFs as a ZIP (--unzip: also the PDFs)
 *   npx tsx scripts/skillcert.ts reconcile                      database vs chain (supervisors)
 *   npx tsx scripts/skillcert.ts issue roster.csv --site … --template … --issue-date … \
 *       --approver-token <token> [--out dir] [--publish]       all of it in one command
 *
 * Server and credentials: --api (SKILLCERT_API_URL, default http://127.0.0.1:8080) and --token
 * (SKILLCERT_API_TOKEN; prefer the variable: command lines are visible to other users). Progress
 * goes to stderr; results to stdout (--json: one JSON document). Exit codes: scripts/cli/exit-codes.ts.
 */
import { Command, CommanderError, Option } from "commander";
import { SkillcertApi } from "./cli/api-client.js";
import {
  TEMPLATE_FORMATS,
  anchor,
  approve,
  downloadTemplate,
  exportPdfs,
  importRoster,
  publish,
  reconcile,
  signOff,
  type CommandContext,
  type TemplateOptions,
} from "./cli/commands.js";
import { CliFailure, EXIT } from "./cli/exit-codes.js";

interface GlobalOptions {
  api: string;
  token?: string;
  json: boolean;
  quiet: boolean;
  pollMs: string;
}

const program = new Command("skillcert")
  .description("Issue vocational skill-level certificates through a running SkillCert server")
  .addOption(new Option("--api <url>", "base URL of the SkillCert server").env("SKILLCERT_API_URL").default("http://127.0.0.1:8080"))
  .addOption(new Option("--token <token>", "API token (integration token of your account)").env("SKILLCERT_API_TOKEN"))
  .option("--json", "print the result as JSON on stdout", false)
  .option("--quiet", "no progress bars", false)
  .addOption(new Option("--poll-ms <ms>", "how often to ask for progress").default("500").hideHelp())
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

function contextOf(command: Command, token?: string): CommandContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const apiToken = token ?? options.token;
  if (!apiToken) throw new CliFailure(EXIT.USAGE, "no API token: set SKILLCERT_API_TOKEN or pass --token");
  return {
    api: new SkillcertApi(options.api, apiToken),
    quiet: options.quiet,
    say: (line) => (options.json ? process.stderr : process.stdout).write(`${line}\n`),
    pollMs: Math.max(20, Number(options.pollMs) || 500),
  };
}

let result: unknown;
const seconds = (value: string) => Math.max(1, Number(value)) * 1000;
const batchFields = (command: Command) =>
  command
    .requiredOption("--site <serial>", "6-digit assessment site serial (filed with the regulator)")
    .requiredOption("--template <id>", "filed certificate template id")
    .requiredOption("--issue-date <date>", "issue date printed on the certificates, YYYY-MM-DD");

program
  .command("template")
  .description("download the roster template (花名册模板) to fill in")
  .addOption(new Option("--format <format>", "file format").choices(TEMPLATE_FORMATS).default("csv"))
  .option("--out <file>", "where to write it (a directory: the server's file name in it; default: the current directory)")
  .option("--force", "overwrite an existing file", false)
  .action(async (options: TemplateOptions, command: Command) => {
    result = await downloadTemplate(contextOf(command), options);
  });

batchFields(program.command("import <roster>").description("import a roster (CSV or XLSX) as a draft batch"))
  .option("--timeout <seconds>", "give up waiting after this long", "600")
  .action(async (roster: string, options: { site: string; template: string; issueDate: string; timeout: string }, command: Command) => {
    result = await importRoster(contextOf(command), roster, { ...options, timeoutMs: seconds(options.timeout) });
  });

program
  .command("sign-off <batch>")
  .description("sign a draft batch off (builds its Merkle tree)")
  .action(async (batch: string, _options: unknown, command: Command) => {
    result = await signOff(contextOf(command), batch);
  });

program
  .command("approve <batch>")
  .description("approve a signed-off batch (another account than the one that signed it off)")
  .action(async (batch: string, _options: unknown, command: Command) => {
    result = await approve(contextOf(command), batch);
  });

program
  .command("publish <batch>")
  .description("publish an anchored batch")
  .action(async (batch: string, _options: unknown, command: Command) => {
    result = await publish(contextOf(command), batch);
  });

program
  .command("anchor <batch>")
  .description("wait until an approved batch is anchored on chain")
  .option("--timeout <seconds>", "give up waiting after this long", "300")
  .option("--retry", "re-queue a failed anchoring once", false)
  .action(async (batch: string, options: { timeout: string; retry: boolean }, command: Command) => {
    result = await anchor(contextOf(command), batch, { timeoutMs: seconds(options.timeout), retry: options.retry });
  });

program
  .command("export <batch>")
  .description("render the batch's certificate PDFs and download them as a ZIP")
  .requiredOption("--out <dir>", "directory for the ZIP (and the PDFs with --unzip)")
  .option("--unzip", "also unpack the PDFs into --out", false)
  .option("--timeout <seconds>", "give up waiting after this long", "1800")
  .action(async (batch: string, options: { out: string; unzip: boolean; timeout: string }, command: Command) => {
    result = await exportPdfs(contextOf(command), batch, { out: options.out, unzip: options.unzip, timeoutMs: seconds(options.timeout) });
  });

program
  .command("reconcile")
  .description("compare the database's anchored batches with the chain (regulator, inspector)")
  .action(async (_options: unknown, command: Command) => {
    result = await reconcile(contextOf(command));
  });

batchFields(program.command("issue <roster>").description("import, sign off, approve, anchor and (with --out) export in one go"))
  .addOption(
    new Option("--approver-token <token>", "API token of the approving account (not the one that signs off)").env(
      "SKILLCERT_APPROVER_TOKEN",
    ),
  )
  .option("--out <dir>", "export the PDFs into this directory")
  .option("--unzip", "also unpack the PDFs", false)
  .option("--publish", "publish the batch once anchored", false)
  .option("--timeout <seconds>", "give up waiting for each step after this long", "600")
  .action(
    async (
      roster: string,
      options: {
        site: string;
        template: string;
        issueDate: string;
        approverToken?: string;
        out?: string;
        unzip: boolean;
        publish: boolean;
        timeout: string;
      },
      command: Command,
    ) => {
      if (!options.approverToken)
        throw new CliFailure(EXIT.USAGE, "issue needs --approver-token (or SKILLCERT_APPROVER_TOKEN): approval takes a second account");
      const handler = contextOf(command);
      const approver = contextOf(command, options.approverToken);
      const timeoutMs = seconds(options.timeout);
      const imported = await importRoster(handler, roster, { ...options, timeoutMs });
      const batchId = imported.batch.id;
      await signOff(handler, batchId);
      await approve(approver, batchId);
      const anchored = await anchor(handler, batchId, { timeoutMs, retry: false });
      const exported = options.out ? await exportPdfs(handler, batchId, { out: options.out, unzip: options.unzip, timeoutMs }) : null;
      const published = options.publish ? await publish(approver, batchId) : null;
      result = { batch: published ?? anchored, export: exported };
    },
  );

async function main(): Promise<number> {
  const json = process.argv.includes("--json");
  try {
    await program.parseAsync(process.argv);
    if (json && result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (error instanceof CliFailure) {
      process.stderr.write(`skillcert: ${error.message}\n${error.detail.map((line) => `${line}\n`).join("")}`);
      if (json)
        process.stdout.write(
          `${JSON.stringify({ error: { exitCode: error.exitCode, message: error.message, detail: error.detail }, result: error.result ?? null }, null, 2)}\n`,
        );
      return error.exitCode;
    }
    process.stderr.write(`skillcert: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.UNEXPECTED;
  }
}

process.exitCode = await main();
