/**
 * Reading the bundle out of an uploaded certificate PDF with the issuer's own extractor (pdf-lib,
 * browser-safe). Loaded on demand: pdf-lib is most of the site's weight and most visitors scan.
 */
import { CertificatePdfError, extractCertificateBundle } from "../../core/pdf-bundle.js";

/** The embedded bundle as it is: core verifies `{record, root, proof}` and checks the chain id and registry it names. */
export async function bundleFromPdf(bytes: Uint8Array): Promise<{ bundle: unknown } | { error: string }> {
  try {
    return { bundle: await extractCertificateBundle(bytes) };
  } catch (error) {
    if (error instanceof CertificatePdfError) return { error: error.code };
    throw error;
  }
}
