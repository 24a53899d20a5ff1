/**
 * Property tests at the verification boundary: genuine bundles and QR texts of the verification
 * world, mutated at random (values, types, Unicode forms, structure), go to core's
 * `verifyCertificate` / `parseCertificateQrPayload` and to `POST /api/verify` beside the genuine
 * item. Whatever the mutation: nothing throws, no check fails unexpectedly (CHECK_FAILED), the
 * API never answers 5xx, and only what still denotes the genuine certificate is VALID.
 *
 * Runs are bounded for CI (SKILLCERT_PROPERTY_RUNS scales them); the counts are printed.
 */
import { expect } from "chai";
import fc from "fast-check";
import {
  createHttpJsonRpcTransport,
  createRpcChainReader,
  formatCertificateQrPayload,
  parseCertificateQrPayload,
  verifyCertificate,
  type ChainReader,
  type Hex,
  type VerificationResult,
} from "../../core/index.js";
import type { RunningVerifier, VerificationWorld } from "./support/world.js";
import { verificationWorld } from "./support/world.js";

const SCALE = Number(process.env.SKILLCERT_PROPERTY_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** Every path to a value inside `value` (the root included). */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const here: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => here.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) here.push(...pathsOf(v, [...prefix, k]));
  return here;
}

/** A copy of `value` with the value at `path` replaced by `replace(old)`; `undefined` deletes it. */
function setAt(value: Json, path: Path, replace: (old: Json) => Json | undefined): Json | undefined {
  if (path.length === 0) return replace(value);
  const [key, ...rest] = path;
  if (Array.isArray(value)) {
    const inner = setAt(value[key as number]!, rest, replace);
    const copy = [...value];
    if (inner === undefined) copy.splice(key as number, 1);
    else copy[key as number] = inner;
    return copy;
  }
  const entries = Object.entries(value as Record<string, Json>).flatMap(([k, v]): [string, Json][] => {
    if (k !== key) return [[k, v]];
    const inner = setAt(v, rest, replace);
    return inner === undefined ? [] : [[k, inner]];
  });
  return Object.fromEntries(entries) as Json;
}

const FULL_WIDTH = (s: string) => s.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const INVISIBLES = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u0000", "\u3000", " "];

/** Ways to change one string, Unicode forms above all. */
const stringMutation: fc.Arbitrary<(s: string) => Json> = fc.oneof(
  fc.constant((s: string) => s.normalize("NFD")),
  fc.constant((s: string) => s.normalize("NFKD")),
  fc.constant((s: string) => FULL_WIDTH(s)),
  fc.constant((s: string) => s.toLowerCase()),
  fc.constant((s: string) => s.toUpperCase()),
  fc.constant((s: string) => ` ${s}`),
  fc.constant((s: string) => s.slice(0, -1)),
  fc.constant((s: string) => `${s}${s.slice(-1)}`),
  fc.tuple(fc.constantFrom(...INVISIBLES), fc.nat()).map(([c, at]) => (s: string) => {
    const i = at % (s.length + 1);
    return `${s.slice(0, i)}${c}${s.slice(i)}`;
  }),
  fc.tuple(fc.nat(), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })).map(([at, c]) => (s: string) => {
    const i = at % Math.max(1, s.length);
    return `${s.slice(0, i)}${c}${s.slice(i + 1)}`;
  }),
  fc.constant((s: string) => (Number.isNaN(Number(s)) ? s.length : Number(s))),
);

/** Ways to change one value of any type: replace, retype, delete, add a key, nest. */
const valueMutation: fc.Arbitrary<(old: Json) => Json | undefined> = fc.oneof(
  { weight: 3, arbitrary: stringMutation.map((m) => (old: Json) => (typeof old === "string" ? m(old) : old)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => () => v as Json) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<(old: Json) => Json>(
      (old) => (typeof old === "number" ? String(old) : typeof old === "string" ? [old] : old),
      (old) => (Array.isArray(old) ? { ...old } : old),
      (old) => (typeof old === "number" ? old + 0.05 : typeof old === "string" ? null : old),
      (old) => (typeof old === "number" ? -old : old),
      (old) => [old, old],
    ),
  },
  { weight: 1, arbitrary: fc.constant(() => undefined) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })).map(
      ([k, v]) =>
        (old: Json) =>
          old !== null && typeof old === "object" && !Array.isArray(old) ? { ...old, [k]: v as Json } : old,
    ),
  },
);

/** One to three mutations at random places of a genuine bundle; `undefined` if the bundle itself was deleted. */
function mutatedBundle(genuine: Json): fc.Arbitrary<Json | undefined> {
  const paths = pathsOf(genuine);
  return fc.array(fc.tuple(fc.nat({ max: paths.length - 1 }), valueMutation), { minLength: 1, maxLength: 3 }).map((edits) => {
    let current: Json | undefined = genuine;
    for (const [index, mutate] of edits) {
      if (current === undefined) return undefined;
      const targets = pathsOf(current);
      current = setAt(current, targets[index % targets.length]!, mutate);
    }
    return current;
  });
}

/** Mutations of a QR text: characters, case, width, separators, prefixes and suffixes. */
function mutatedQr(genuine: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    stringMutation.map((m) => (s: string) => {
      const out = m(s);
      return typeof out === "string" ? out : String(out);
    }),
    fc.constantFrom(
      (s: string) => s.replace("/C/1/", "/C/2/"),
      (s: string) => s.replace("/C/1/", "/C//1/"),
      (s: string) => s.replace("HTTP://", "HTTP://USER@"),
      (s: string) => s.replace("HTTP://", "FTP://"),
      (s: string) => s.replace(/^HTTP:\/\/[^/]+/, "HTTP://EVIL.EXAMPLE"),
      (s: string) => `${s}?rpc=HTTP://EVIL`,
      (s: string) => `${s}#x`,
      (s: string) => `${s}/`,
      (s: string) => s.replace(/[A-Z2-7]{8}$/, (tail) => [...tail].reverse().join("")),
      (s: string) => s.slice(0, s.length - 8),
    ),
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([at, ins]) => (s: string) => {
      const i = at % (s.length + 1);
      return `${s.slice(0, i)}${ins}${s.slice(i)}`;
    }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => edits.reduce((s, e) => e(s), genuine));
}

function summary(result: VerificationResult): string {
  return `${result.verdict} ${result.reason ?? ""}`;
}

describe("verification under random mutation (property tests)", function () {
  this.timeout(600_000);
  let world: VerificationWorld;
  let server: RunningVerifier;
  let chain: ChainReader;
  const tried = { core: 0, qr: 0, apiCalls: 0, apiItems: 0 };

  before(async function () {
    world = await verificationWorld();
    server = world.server;
    chain = createRpcChainReader({
      transport: createHttpJsonRpcTransport(world.anvil.rpcUrl),
      registryAddress: world.registryAddress,
      expectedChainId: world.chainId,
    });
  });

  after(function () {
    // The closing note quotes these counts.
    process.stdout.write(
      `      property cases: ${tried.core} bundles in core, ${tried.qr} QR texts, ${tried.apiCalls} API calls with ${tried.apiItems} items\n`,
    );
  });

  const genuineOf = () => world.batches.a.certificates[0]!;

  it("core never throws on a mutated bundle, and none is VALID", async function () {
    const genuine = JSON.parse(JSON.stringify(genuineOf().bundle)) as Json;
    expect((await verifyCertificate({ bundle: genuine }, chain)).verdict).to.equal("VALID");
    await fc.assert(
      fc.asyncProperty(mutatedBundle(genuine), async (bundle) => {
        fc.pre(JSON.stringify(bundle) !== JSON.stringify(genuine));
        tried.core++;
        const result = await verifyCertificate({ bundle }, chain);
        expect(result.fragments.map((f) => f.code)).to.not.include("CHECK_FAILED");
        expect(result.verdict, `${summary(result)} for ${JSON.stringify(bundle)}`).to.not.equal("VALID");
      }),
      { numRuns: runs(2000), seed: Number(process.env.SKILLCERT_PROPERTY_SEED ?? Date.now() % 2 ** 31) },
    );
  });

  it("core never throws on a mutated QR text; what it accepts is a well-formed number and leaf on our host", function () {
    const { qr } = genuineOf();
    const hosts = [server.host];
    fc.assert(
      fc.property(mutatedQr(qr), (text) => {
        tried.qr++;
        const parsed = parseCertificateQrPayload(text, hosts, { allowHttp: true });
        if (parsed.ok) {
          // Nothing else can be smuggled in: the canonical spelling of what was read parses to the same.
          const { certificateNumber, leaf } = parsed.value;
          const canonical = formatCertificateQrPayload(server.host, certificateNumber, leaf, "http");
          const again = parseCertificateQrPayload(canonical, hosts, { allowHttp: true });
          expect(again.ok && [again.value.certificateNumber, again.value.leaf], text).to.deep.equal([certificateNumber, leaf]);
        } else {
          expect(parsed.issues[0]!.code, text).to.match(/^QR_/);
        }
      }),
      { numRuns: runs(3000) },
    );
  });

  it("POST /api/verify answers every mix of genuine and mutated items without a 5xx, each item on its own", async function () {
    const genuine = genuineOf();
    const bundle = JSON.parse(JSON.stringify(genuine.bundle)) as Json;
    const item = fc.oneof(
      mutatedBundle(bundle)
        .filter((b) => JSON.stringify(b) !== JSON.stringify(bundle))
        .map((b) => ({ kind: "bundle" as const, body: { bundle: b ?? null } })),
      mutatedQr(genuine.qr).map((q) => ({ kind: "qr" as const, body: { qr: q } })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 12 }), fc.nat(), async (mutants, at) => {
        const position = at % (mutants.length + 1);
        const items = [...mutants.map((m) => m.body)];
        items.splice(position, 0, { bundle: bundle as never });
        tried.apiCalls++;
        tried.apiItems += items.length;

        const response = await fetch(`${server.baseUrl}/api/verify`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ items }),
        });
        const body = (await response.json()) as {
          results?: ({ verdict: string; reason?: string } | { error: { code: string } })[];
          error?: { code: string };
        };

        expect(response.status, JSON.stringify(body)).to.be.below(500);
        if (response.status !== 200) {
          // Only the request schema may refuse a call (a QR text that is empty or too long).
          expect(response.status).to.equal(400);
          return;
        }
        const results = body.results!;
        expect(results[position]).to.include({ verdict: "VALID" });
        mutants.forEach((mutant, i) => {
          const result = results[i < position ? i : i + 1]!;
          expect(JSON.stringify(result)).to.not.include("VERIFY_ITEM_FAILED").and.not.include("CHECK_FAILED");
          if (!("verdict" in result) || result.verdict !== "VALID") return;
          // A VALID mutant must be a QR text that still names exactly the genuine certificate.
          expect(mutant.kind, JSON.stringify(mutant.body)).to.equal("qr");
          const parsed = parseCertificateQrPayload((mutant.body as { qr: string }).qr, [server.host], { allowHttp: true });
          expect(parsed.ok && [parsed.value.certificateNumber, parsed.value.leaf as Hex]).to.deep.equal([genuine.number, genuine.leaf]);
        });
      }),
      { numRuns: runs(200) },
    );
  });
});
