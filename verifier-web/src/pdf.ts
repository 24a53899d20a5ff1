/**
 * Reading the bundle out of an uploaded certificate PDF with the issuer's own extractor (pdf-lib,
 * browser-safe). Loaded on demand: pdf-lib is most of the site's weight and most visitors scan.
 */
import { extractCertificateBundle } from "../../server/issuance/pdf/extract.js";
import { CertificatePdfError } from "../../server/issuance/pdf/certificate-pdf-format.js";

/** The verification bundle as core takes it: the PDF may carry more (chain id, registry address…). */
export async function bundleFromPdf(bytes: Uint8Array): Promise<{ bundle: unknown } | { error: string }> {
  try {
    const embedded = await extractCertificateBundle(bytes);
    if (typeof embedded !== "object" || embedded === null || Array.isArray(embedded)) return { bundle: embedded };
    const bundle: Record<string, unknown> = {};
    for (const key of ["record", "root", "proof"]) if (key in embedded) bundle[key] = (embedded as Record<string, unknown>)[key];
    return { bundle };
  } catch (error) {
    if (error instanceof CertificatePdfError) return { error: error.code };
    throw error;
  }
}
